//! OpenAPI tags grouping the operations in Swagger UI.

use poem_openapi::Tags;

/// Operation groups.
#[derive(Tags)]
pub enum ApiTags {
    /// Signup, verification, login, tokens and password reset.
    Auth,
    /// Signed-in sessions: list, revoke, logout.
    Sessions,
    /// The signed-in user's own account and profile.
    Users,
    /// Public profiles and the people directory.
    People,
    /// Organizations, members, join requests and invitations.
    Organizations,
    /// Forum categories, topics, replies, likes, bookmarks and best answers.
    Forum,
    /// Use cases: structured case studies, their map, likes and bookmarks.
    UseCases,
    /// Private messages, conversations and blocks.
    Messages,
    /// Notifications, the bell, the activity feed and the dashboard.
    Notifications,
    /// Search over people, organizations, use cases and the forum, in Arabic and English.
    Search,
    /// Avatars, logos and media downloads.
    Media,
    /// Liveness and readiness.
    Health,
    /// Backups (platform admins).
    Operations,
}
