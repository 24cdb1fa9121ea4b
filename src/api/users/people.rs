//! `/api/v1/users`: public profiles and the people directory (signed-in users only).

use chrono::{DateTime, Utc};
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
};

use crate::api::{
    dto::MemberRole,
    error::{ApiResult, Success, ok},
    security::{Auth, State},
    tags::ApiTags,
};
use crate::domain::closed::{ClosedSet, Industry};
use crate::{
    domain::ids::{OrgId, UserId},
    dto::ts,
    service::{
        self,
        people::{self, Person},
    },
};

/// People endpoints.
#[derive(Default)]
pub struct PeopleApi;

/// The organization shown beside a person.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct OrganizationRef {
    /// Organization id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Industry sector.
    pub industry: Industry,
    /// Verified by a platform admin.
    pub verified: bool,
    /// Logo image URL, once uploaded.
    pub logo_url: Option<String>,
}

/// Activity counters of a person (kept on every write by the features that own them).
#[derive(Object, Debug, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct PersonCounts {
    /// Forum topics started.
    pub topic_count: u64,
    /// Forum replies written.
    pub reply_count: u64,
    /// Best answers received.
    pub best_answer_count: u64,
    /// Use cases published.
    pub use_case_count: u64,
}

/// A person as other members see them (no email address).
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct PublicProfile {
    /// User id.
    pub id: String,
    /// "First Last".
    pub name: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Job title.
    pub title: String,
    /// City or site.
    pub location: String,
    /// Short biography (Markdown).
    pub bio: String,
    /// Areas of expertise.
    pub expertise_tags: Vec<String>,
    /// Avatar image URL, once uploaded.
    pub profile_picture_url: Option<String>,
    /// Their organization.
    pub organization: Option<OrganizationRef>,
    /// Reputation points (topic +5, reply +2, like +1, best answer +15, use case +10).
    pub reputation: u64,
    /// Activity counters.
    pub counts: PersonCounts,
    /// Role in their organization.
    pub role: Option<MemberRole>,
    /// Joined the platform.
    pub joined_at: DateTime<Utc>,
}

impl From<Person> for PublicProfile {
    fn from(Person { user: u, org, stats }: Person) -> Self {
        Self {
            id: u.id.to_string(),
            name: u.display_name(),
            first_name: u.first_name,
            last_name: u.last_name,
            title: u.title,
            location: u.location,
            bio: u.bio,
            expertise_tags: u.expertise_tags,
            profile_picture_url: u.avatar.map(crate::dto::media_url),
            organization: org.map(|o| OrganizationRef {
                id: o.id.to_string(),
                logo_url: o.logo.map(crate::dto::media_url),
                name: o.name,
                industry: Industry::of_stored(&o.industry),
                verified: o.verified,
            }),
            reputation: stats.reputation,
            counts: PersonCounts {
                topic_count: stats.topics,
                reply_count: stats.replies,
                best_answer_count: stats.best_answers,
                use_case_count: stats.use_cases,
            },
            role: u.org_role.map(Into::into),
            joined_at: ts(u.created_at),
        }
    }
}

/// A page of the people directory.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct PersonPage {
    /// People, oldest members first.
    pub items: Vec<PublicProfile>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// How many people match the filters.
    pub total: u64,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::People")]
impl PeopleApi {
    /// The people directory
    ///
    /// Active, verified members of every organization, with optional filters.
    #[oai(path = "/users", method = "get", operation_id = "listPeople")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: State<'_>,
        _auth: Auth,
        /// Words in the name, title, organization or expertise.
        q: Query<Option<String>>,
        /// Industry sector of their organization.
        industry: Query<Option<Industry>>,
        /// City (theirs or their organization's).
        city: Query<Option<String>>,
        /// Organization id.
        organization_id: Query<Option<OrgId>>,
        /// One expertise tag.
        expertise: Query<Option<String>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–100 (default 20).
        limit: Query<Option<u32>>,
    ) -> ApiResult<Success<PersonPage>> {
        let filter = people::PeopleFilter {
            q: q.0,
            industry: industry.0.map(|i| i.name().to_owned()),
            city: city.0,
            organization: organization_id.0,
            expertise: expertise.0,
        };
        let page = people::directory(&state, filter, cursor.0.as_deref(), service::page_size(limit.0)).await?;
        ok(PersonPage {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
            total: page.total,
        })
    }

    /// A person's public profile
    #[oai(path = "/users/:id", method = "get", operation_id = "getPerson")]
    async fn get(&self, state: State<'_>, _auth: Auth, id: Path<UserId>) -> ApiResult<Success<PublicProfile>> {
        ok(people::profile(&state, id.0).await?.into())
    }
}
