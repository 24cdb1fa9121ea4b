//! The table catalogue: every redb table, its versioned name and its key/value layout.
//!
//! All tables map bytes to bytes; keys are built from fixed-width id bytes (16, big-endian
//! UUIDv7, so they sort by creation time), UTF-8 strings, SHA-256 digests (32) and big-endian
//! millisecond timestamps (8). Values are records encoded by `codec` (a format version byte
//! then JSON) unless stated otherwise. A many-to-many or secondary index is written in the
//! same transaction as the record it points at.

use redb::TableDefinition;

/// A table of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Table {
    /// Versioned name, `keyname_valuename-N`.
    pub name: &'static str,
}

impl Table {
    /// The redb definition (bytes → bytes).
    pub fn def(self) -> TableDefinition<'static, &'static [u8], &'static [u8]> {
        TableDefinition::new(self.name)
    }
}

/// Key: setting name (UTF-8). / Value: raw bytes (e.g. `schema_version` as u64 BE).
pub const META: Table = Table { name: "name_value-1" };
/// Key: migration name (UTF-8). / Value: time it ran, i64 BE ms.
pub const MIGRATIONS: Table = Table { name: "migration_appliedat-1" };
/// Key: UserId (16). / Value: `domain::user::User`.
pub const USERS: Table = Table { name: "userid_user-1" };
/// Key: lower-case email (UTF-8). / Value: UserId (16).
pub const EMAIL_USER: Table = Table { name: "email_userid-1" };
/// Key: OrgId (16). / Value: `domain::org::Organization`.
pub const ORGS: Table = Table { name: "orgid_org-1" };
/// Key: lower-case email domain (UTF-8). / Value: OrgId (16).
pub const DOMAIN_ORG: Table = Table { name: "domain_orgid-1" };
/// Key: OrgId (16) ++ UserId (16). / Value: empty. Members of an organization.
pub const ORG_MEMBERS: Table = Table { name: "orgid_userid-1" };
/// Key: JoinRequestId (16). / Value: `domain::org::JoinRequest`.
pub const JOIN_REQUESTS: Table = Table { name: "joinrequestid_joinrequest-1" };
/// Key: OrgId (16) ++ JoinRequestId (16). / Value: empty. Join requests per organization.
pub const ORG_JOIN_REQUESTS: Table = Table { name: "orgid_joinrequestid-1" };
/// Key: SessionId (16). / Value: `domain::session::Session`.
pub const SESSIONS: Table = Table { name: "sessionid_session-1" };
/// Key: UserId (16) ++ SessionId (16). / Value: empty. Sessions per user.
pub const USER_SESSIONS: Table = Table { name: "userid_sessionid-1" };
/// Key: `<purpose>:<subject>` (UTF-8). / Value: `store::security::OneTimeCode`.
pub const CODES: Table = Table { name: "codekey_onetimecode-1" };
/// Key: SHA-256 of the lower-case email (32). / Value: `store::security::LoginFailures`.
pub const LOGIN_FAILURES: Table = Table { name: "emailhash_loginfailures-1" };
/// Key: SHA-256 of the device token (32). / Value: `store::security::TrustedDevice`.
pub const TRUSTED_DEVICES: Table = Table { name: "tokenhash_trusteddevice-1" };
/// Key: SHA-256 of the reset token (32). / Value: `store::security::ResetToken`.
pub const RESET_TOKENS: Table = Table { name: "tokenhash_passwordreset-1" };
/// Key: UserId (16). / Value: empty. Users shown in the directory (active and verified),
/// kept by `users::insert`/`users::update` on every write of the user.
pub const LISTED_USERS: Table = Table { name: "userid_listed-1" };
/// Key: InvitationId (16). / Value: `domain::invitation::Invitation`.
pub const INVITATIONS: Table = Table { name: "invitationid_invitation-1" };
/// Key: SHA-256 of the invitation token (32). / Value: InvitationId (16).
pub const INVITATION_TOKENS: Table = Table { name: "tokenhash_invitationid-1" };
/// Key: OrgId (16) ++ InvitationId (16). / Value: empty. Invitations per organization.
pub const ORG_INVITATIONS: Table = Table { name: "orgid_invitationid-1" };
/// Key: MediaId (16). / Value: `domain::media::Media` (the bytes live in the media store).
pub const MEDIA: Table = Table { name: "mediaid_media-1" };
/// Key: TopicId (16). / Value: `domain::forum::Topic`.
pub const TOPICS: Table = Table { name: "topicid_topic-1" };
/// Key: ReplyId (16). / Value: `domain::forum::Reply`.
pub const REPLIES: Table = Table { name: "replyid_reply-1" };
/// Key: TopicId (16) ++ ReplyId (16). / Value: empty. Replies of a topic, oldest first.
pub const TOPIC_REPLIES: Table = Table { name: "topicid_replyid-1" };
/// Key: category (UTF-8) ++ 0x00 ++ TopicId (16). / Value: empty. Topics per category.
pub const CATEGORY_TOPICS: Table = Table { name: "category_topicid-1" };
/// Key: lower-case tag (UTF-8) ++ 0x00 ++ TopicId (16). / Value: empty. Topics per tag.
pub const TAG_TOPICS: Table = Table { name: "tag_topicid-1" };
/// Key: UserId (16) ++ TopicId (16). / Value: empty. Topics per author.
pub const AUTHOR_TOPICS: Table = Table { name: "userid_topicid-1" };
/// Key: last activity ms (8, BE) ++ TopicId (16). / Value: empty. Most active first when read backwards.
pub const ACTIVE_TOPICS: Table = Table { name: "activity_topicid-1" };
/// Key: like count (8, BE) ++ TopicId (16). / Value: empty. Most liked first when read backwards.
pub const TOP_TOPICS: Table = Table { name: "likes_topicid-1" };
/// Key: TopicId (16). / Value: empty. Pinned topics.
pub const PINNED_TOPICS: Table = Table { name: "topicid_pinned-1" };
/// Key: UserId (16). / Value: `store::stats::UserStats`.
pub const USER_STATS: Table = Table { name: "userid_stats-1" };
/// Key: reputation (8, BE) ++ UserId (16). / Value: empty. Top contributors when read backwards.
pub const REPUTATION: Table = Table { name: "reputation_userid-1" };
/// Key: target (17: kind byte ++ id, see `domain::engagement::Target`) ++ UserId (16).
/// / Value: empty. Likes of any kind of content (idempotent).
pub const LIKES: Table = Table { name: "target_userid_liked-2" };
/// Key: target (17) ++ UserId (16). / Value: empty. Who has viewed what (views count once).
pub const VIEWS: Table = Table { name: "target_userid_viewed-1" };
/// Key: UserId (16) ++ target (17). / Value: bookmark time, i64 BE ms.
pub const BOOKMARKS: Table = Table { name: "userid_target_bookmarked-2" };
/// Key: target (17) ++ UserId (16). / Value: empty. Who bookmarked what: the reverse of
/// `BOOKMARKS`, so deleting content removes its bookmarks.
pub const BOOKMARKERS: Table = Table { name: "target_userid_bookmarked-1" };
/// Key: `Counter::key()` (UTF-8, e.g. `forum.topics`, `use_cases.category:Quality`).
/// / Value: u64 BE.
pub const COUNTERS: Table = Table { name: "counter_count-1" };
/// Key: kind byte (1, `TargetKind` it publishes as) ++ DraftId (16).
/// / Value: `domain::engagement::Draft<F>` (F: `TopicDraft`, `UseCaseDraft`).
pub const DRAFTS: Table = Table { name: "kind_draftid_draft-2" };
/// Key: UserId (16) ++ kind byte (1) ++ DraftId (16). / Value: empty. Drafts per user and kind.
pub const USER_DRAFTS: Table = Table { name: "userid_kind_draftid-2" };
/// Key: UseCaseId (16). / Value: `domain::use_case::UseCase`.
pub const USE_CASES: Table = Table { name: "usecaseid_usecase-1" };
/// Key: `<org slug>/<slug>` (UTF-8). / Value: UseCaseId (16). Unique slugs.
pub const USE_CASE_SLUGS: Table = Table { name: "slug_usecaseid-1" };
/// Key: view count (8, BE) ++ UseCaseId (16). / Value: empty. Most viewed when read backwards.
pub const USE_CASE_VIEWS: Table = Table { name: "views_usecaseid-1" };
/// Key: like count (8, BE) ++ UseCaseId (16). / Value: empty. Most liked when read backwards.
pub const USE_CASE_LIKES: Table = Table { name: "likes_usecaseid-1" };
/// Key: UseCaseId (16). / Value: `domain::use_case::MapPoint` (small, for the map call).
pub const USE_CASE_POINTS: Table = Table { name: "usecaseid_mappoint-1" };
/// Key: UseCaseId (16). / Value: `domain::use_case::UseCaseCard` (what listings read).
pub const USE_CASE_CARDS: Table = Table { name: "usecaseid_usecasecard-1" };
/// Key: UserId (16). / Value: `domain::user::AuthorCard` (what content shows of its author).
pub const USER_CARDS: Table = Table { name: "userid_authorcard-1" };
/// Key: OrgId (16). / Value: `domain::org::OrgCard` (what content shows of its organization).
pub const ORG_CARDS: Table = Table { name: "orgid_orgcard-1" };
/// Key: filter field (1) ++ value length (1) ++ value ++ order (1) ++ sort key (0 or 8) ++
/// UseCaseId (16), see `use_case_filters`. / Value: empty.
pub const USE_CASE_FILTERS: Table = Table { name: "filter_usecaseid-1" };
/// Key: JobId (16). / Value: `store::jobs::Job`.
pub const JOBS: Table = Table { name: "jobid_job-1" };
/// Key: run-at ms (8, BE) ++ JobId (16). / Value: empty. Due order of queued jobs.
pub const JOBS_DUE: Table = Table { name: "runat_jobid-1" };
/// Key: JobId (16). / Value: `store::jobs::Job` that exhausted its attempts.
pub const DEAD_JOBS: Table = Table { name: "jobid_deadjob-1" };

/// Key: ConversationId (16). / Value: `domain::messages::Conversation` (with both members'
/// state and the newest message's preview).
pub const CONVERSATIONS: Table = Table { name: "conversationid_conversation-1" };
/// Key: the smaller UserId (16) ++ the larger (16). / Value: ConversationId (16). One
/// conversation per pair of people.
pub const PAIR_CONVERSATIONS: Table = Table { name: "userid_userid_conversationid-1" };
/// Key: UserId (16) ++ folder (1: 0 inbox, 1 archived) ++ MessageId of the conversation's
/// newest message (16) ++ ConversationId (16). / Value: empty. A person's conversations,
/// most recent last.
pub const USER_CONVERSATIONS: Table = Table { name: "userid_folder_messageid_conversationid-1" };
/// Key: ConversationId (16) ++ MessageId (16). / Value: `domain::messages::Message`. A
/// conversation's messages in order, read as one range.
pub const MESSAGES: Table = Table { name: "conversationid_messageid_message-1" };
/// Key: MessageId (16). / Value: ConversationId (16). Finds a message by its id alone.
pub const MESSAGE_CONVERSATIONS: Table = Table { name: "messageid_conversationid-1" };
/// Key: blocker UserId (16) ++ blocked UserId (16). / Value: block time, i64 BE ms.
pub const BLOCKS: Table = Table { name: "userid_userid_blocked-1" };

/// Key: UserId (16) ++ NotificationId (16). / Value: `domain::notifications::Notification`.
/// A person's notifications, newest last.
pub const NOTIFICATIONS: Table = Table { name: "userid_notificationid_notification-1" };
/// Key: UserId (16) ++ NotificationId (16). / Value: empty. The unread ones.
pub const UNREAD_NOTIFICATIONS: Table = Table { name: "userid_notificationid_unread-1" };
/// Key: UserId (16) ++ subject (17). / Value: NotificationId (16). The grouped notification
/// (likes, messages) of a person about one subject.
pub const NOTIFICATION_GROUPS: Table = Table { name: "userid_target_notificationid-1" };

/// Key: subject (17) ++ UserId (16) ++ NotificationId (16). / Value: empty. Every
/// notification about a subject (content is removed with it).
pub const TARGET_NOTIFICATIONS: Table = Table { name: "target_userid_notificationid-1" };

/// Key: UserId (16). / Value: `domain::notifications::NotificationSettings`.
pub const NOTIFICATION_SETTINGS: Table = Table { name: "userid_notificationsettings-1" };
/// Key: UserId (16). / Value: `domain::notifications::PendingEmail`. Where a person's
/// coalesced notification email stands.
pub const NOTIFICATION_EMAILS: Table = Table { name: "userid_notificationemail-1" };

/// Key: OrgId (16). / Value: `store::org_stats::OrgStats`. An organization's figures.
pub const ORG_STATS: Table = Table { name: "orgid_orgstats-1" };
/// Key: score u64 BE (8) ++ OrgId (16). / Value: empty. Organizations by score, for their rank.
pub const ORG_RANK: Table = Table { name: "score_orgid-1" };

/// Key: `domain::search::Searchable::key` (UTF-8). / Value: when it was last touched, i64 BE
/// ms. Records waiting for the search indexer.
pub const SEARCH_QUEUE: Table = Table { name: "searchable_touched-1" };

/// Key: TopicId (16) ++ UserId (16). / Value: 1 byte, 1 watching, 0 unwatched on purpose
/// (so replying again does not watch again).
pub const WATCHERS: Table = Table { name: "topicid_userid_watching-1" };

/// Key: ActivityId (16). / Value: `domain::activity::Activity`. The community feed.
pub const ACTIVITY: Table = Table { name: "activityid_activity-1" };
/// Key: OrgId (16) ++ ActivityId (16). / Value: empty. An organization's feed.
pub const ORG_ACTIVITY: Table = Table { name: "orgid_activityid-1" };
/// Key: target (17) ++ ActivityId (16). / Value: empty. Entries about a piece of content,
/// removed with it.
pub const TARGET_ACTIVITY: Table = Table { name: "target_activityid-1" };

/// Key: TopicId (16). / Value: the topic's trending log-score, f64 BE bits (see
/// `domain::trending`).
pub const TOPIC_TRENDING: Table = Table { name: "topicid_trendingscore-1" };
/// Key: trending score sort key (8) ++ TopicId (16). / Value: empty. Trending topics when read
/// backwards.
pub const TRENDING_TOPICS: Table = Table { name: "trendingscore_topicid-1" };

/// Tables of earlier layouts, kept only so the migrations that created them and the one that
/// moved their data (`008_engagement`) still name them; nothing else reads them.
pub mod retired {
    use super::Table;

    /// Key: UserId (16). / Value: `{"message_emails": bool}`, messaging's one setting, moved
    /// into `NOTIFICATION_SETTINGS` by `017_organization_stats`.
    pub const PREFERENCES: Table = Table { name: "userid_preferences-1" };
    /// Key: TopicId (16) ++ UserId (16). / Value: empty. Topic views.
    pub const TOPIC_VIEWERS: Table = Table { name: "topicid_userid_viewed-1" };
    /// Key: TopicId, ReplyId or UseCaseId (16) ++ UserId (16). / Value: empty. Likes.
    pub const LIKES: Table = Table { name: "targetid_userid_liked-1" };
    /// Key: UserId (16) ++ TopicId (16). / Value: bookmark time, i64 BE ms.
    pub const BOOKMARKS: Table = Table { name: "userid_topicid_bookmarked-1" };
    /// Key: counter name (UTF-8, e.g. `topics`, `uc_category:Quality`). / Value: u64 BE.
    pub const FORUM_COUNTERS: Table = Table { name: "name_count-1" };
    /// Key: DraftId (16). / Value: a topic draft with its fields at the top level.
    pub const DRAFTS: Table = Table { name: "draftid_draft-1" };
    /// Key: UserId (16) ++ DraftId (16). / Value: empty.
    pub const USER_DRAFTS: Table = Table { name: "userid_draftid-1" };
    /// Key: UseCaseId (16) ++ UserId (16). / Value: empty. Use-case views.
    pub const USE_CASE_VIEWERS: Table = Table { name: "usecaseid_userid_viewed-1" };
    /// Key: UserId (16) ++ UseCaseId (16). / Value: bookmark time, i64 BE ms.
    pub const USE_CASE_BOOKMARKS: Table = Table { name: "userid_usecaseid_bookmarked-1" };
    /// Key: DraftId (16). / Value: a use-case draft (`content` plus optional coordinates).
    pub const USE_CASE_DRAFTS: Table = Table { name: "draftid_usecasedraft-1" };
    /// Key: UserId (16) ++ DraftId (16). / Value: empty.
    pub const USER_USE_CASE_DRAFTS: Table = Table { name: "userid_usecasedraftid-1" };
}
