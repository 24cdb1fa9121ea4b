//! Search: what is searchable (`SearchKind`), the record a search document is made from
//! (`Searchable`, queued in the write's transaction), and the document itself
//! (`SearchDoc`) — built here from the records, so what the index holds is a pure function
//! of the store.

use serde::{Deserialize, Serialize};

use super::{
    closed::{ClosedSet, closed_set},
    forum::{Reply, Topic},
    ids::{OrgId, ReplyId, TopicId, UseCaseId, UserId},
    org::Organization,
    use_case::UseCase,
    user::User,
};

closed_set! {
    #[doc = "What a search result is: a person, an organization, a use case, a forum topic or a forum reply."]
    "SearchKind", pub enum SearchKind {
        User = "user",
        Organization = "organization",
        UseCase = "use_case",
        Topic = "topic",
        Reply = "reply",
    }
}

/// A record whose search document may have changed: queued in the transaction that changed
/// it, and (re)indexed from the store as it is when the indexer gets to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Searchable {
    User(UserId),
    Organization(OrgId),
    UseCase(UseCaseId),
    Topic(TopicId),
    Reply(ReplyId),
}

impl Searchable {
    /// Its kind.
    pub fn kind(self) -> SearchKind {
        match self {
            Self::User(_) => SearchKind::User,
            Self::Organization(_) => SearchKind::Organization,
            Self::UseCase(_) => SearchKind::UseCase,
            Self::Topic(_) => SearchKind::Topic,
            Self::Reply(_) => SearchKind::Reply,
        }
    }

    /// The key of its document in the index (and of its entry in the queue): kind ++ id.
    pub fn key(self) -> String {
        let id = match self {
            Self::User(id) => id.to_string(),
            Self::Organization(id) => id.to_string(),
            Self::UseCase(id) => id.to_string(),
            Self::Topic(id) => id.to_string(),
            Self::Reply(id) => id.to_string(),
        };
        format!("{}:{id}", self.kind().name())
    }

    /// The record `key` names.
    pub fn from_key(key: &str) -> Option<Self> {
        let (kind, id) = key.split_once(':')?;
        Some(match SearchKind::from_name(kind)? {
            SearchKind::User => Self::User(id.parse().ok()?),
            SearchKind::Organization => Self::Organization(id.parse().ok()?),
            SearchKind::UseCase => Self::UseCase(id.parse().ok()?),
            SearchKind::Topic => Self::Topic(id.parse().ok()?),
            SearchKind::Reply => Self::Reply(id.parse().ok()?),
        })
    }
}

/// One searchable document, as the index stores it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchDoc {
    /// `Searchable::key` of its record.
    pub key: String,
    pub kind: Option<SearchKind>,
    /// What a result shows as its title (a person's name, a topic's title, …).
    pub title: String,
    /// The rest of its text (the snippet comes from here).
    pub body: String,
    /// Filter values; empty when the kind has none.
    pub category: String,
    pub industry: String,
    pub city: String,
    /// The organization it belongs to.
    pub org: Option<OrgId>,
    /// For a reply, its topic (the link, and how a deleted topic takes its replies along).
    pub topic: Option<TopicId>,
    /// For a use case, its slug and its organization's (the link).
    pub slug: String,
    pub org_slug: String,
    pub created_at: i64,
}

impl SearchDoc {
    /// Whether the title is searched: a reply shows its topic's title but is found by its
    /// own words only (else every reply of a topic would rank with it on a title word, and
    /// the topic's title would be indexed once per reply).
    pub fn title_searched(&self) -> bool {
        self.kind != Some(SearchKind::Reply)
    }
}

fn join<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>().join("\n")
}

impl SearchDoc {
    /// A person (only those who can sign in are searchable).
    pub fn of_user(u: &User, org: Option<&Organization>) -> Option<Self> {
        if !u.can_sign_in() {
            return None;
        }
        let org_name = org.map(|o| o.name.as_str()).unwrap_or_default();
        let tags = u.expertise_tags.join(", ");
        Some(Self {
            key: Searchable::User(u.id).key(),
            kind: Some(SearchKind::User),
            title: u.display_name(),
            body: join([u.title.as_str(), org_name, &tags, &u.location, &u.bio]),
            industry: org.map(|o| o.industry.clone()).unwrap_or_default(),
            city: u.location.clone(),
            org: u.org_id,
            created_at: u.created_at,
            ..Default::default()
        })
    }

    /// An organization.
    pub fn of_org(o: &Organization) -> Self {
        Self {
            key: Searchable::Organization(o.id).key(),
            kind: Some(SearchKind::Organization),
            title: o.name.clone(),
            body: join([o.industry.as_str(), &o.city, &o.country, &o.description]),
            industry: o.industry.clone(),
            city: o.city.clone(),
            org: Some(o.id),
            created_at: o.created_at,
            ..Default::default()
        }
    }

    /// A published use case: its problem, solution, vendor, tags, place and organization.
    pub fn of_use_case(u: &UseCase, org: Option<&Organization>) -> Self {
        let c = &u.content;
        let problems = c.specific_problems.join("\n");
        let tech = c.technology_components.join(", ");
        let tags = c.tags.join(", ");
        Self {
            key: Searchable::UseCase(u.id).key(),
            kind: Some(SearchKind::UseCase),
            title: c.title.clone(),
            body: join([
                c.subtitle.as_str(),
                &c.problem_context,
                &problems,
                &c.body,
                &tech,
                &c.vendor,
                &tags,
                &c.factory_name,
                &c.city,
                org.map(|o| o.name.as_str()).unwrap_or_default(),
            ]),
            // Filtered and faceted by the category's id, as the use-case API names it.
            category: super::use_case::Category::of_stored(&c.category).id.to_owned(),
            industry: c.industry.clone(),
            city: c.city.clone(),
            org: Some(u.org),
            slug: u.slug.clone(),
            org_slug: u.org_slug.clone(),
            created_at: u.created_at,
            ..Default::default()
        }
    }

    /// A forum topic.
    pub fn of_topic(t: &Topic) -> Self {
        Self {
            key: Searchable::Topic(t.id).key(),
            kind: Some(SearchKind::Topic),
            title: t.title.clone(),
            body: join([t.body.as_str(), &t.tags.join(", ")]),
            category: t.category.clone(),
            org: t.org,
            topic: Some(t.id),
            created_at: t.created_at,
            ..Default::default()
        }
    }

    /// A forum reply, titled by its topic.
    pub fn of_reply(r: &Reply, t: &Topic) -> Self {
        Self {
            key: Searchable::Reply(r.id).key(),
            kind: Some(SearchKind::Reply),
            title: t.title.clone(),
            body: r.body.clone(),
            category: t.category.clone(),
            org: t.org,
            topic: Some(t.id),
            created_at: r.created_at,
            ..Default::default()
        }
    }
}

/// Counts by value, per field name.
pub type FacetCounts = std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>>;

/// What to look for.
#[derive(Clone, Debug, Default)]
pub struct SearchRequest {
    pub q: String,
    /// Only these kinds (all when empty).
    pub kinds: Vec<SearchKind>,
    pub category: Option<String>,
    pub industry: Option<String>,
    pub city: Option<String>,
    pub org: Option<OrgId>,
    /// Created at or after / before (ms).
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub offset: usize,
    pub limit: usize,
}

/// One result.
#[derive(Clone, Debug)]
pub struct Hit {
    pub kind: SearchKind,
    /// `Searchable::key`.
    pub key: String,
    pub title: String,
    /// HTML: escaped text with the matched words in `<mark>`.
    pub snippet: String,
    pub score: f32,
    pub topic: Option<String>,
    pub org: Option<String>,
    pub slug: String,
    pub org_slug: String,
}

/// A page of results with the facet counts and total of every match.
#[derive(Clone, Debug, Default)]
pub struct SearchPage {
    pub hits: Vec<Hit>,
    pub total: u64,
    /// Counts by value, per field (`kind`, `category`, `city`).
    pub facets: FacetCounts,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_names_its_record_and_back() {
        for s in [Searchable::User(UserId::new()), Searchable::Reply(ReplyId::new())] {
            assert_eq!(Searchable::from_key(&s.key()), Some(s));
        }
        assert!(Searchable::User(UserId::new()).key().starts_with("user:"));
        assert_eq!(Searchable::from_key("gossip:1"), None);
        assert_eq!(Searchable::from_key("topic:not-a-uuid"), None);
    }
}
