//! Parameter types shared by every endpoint group: the domain ids as typed path parameters.
//!
//! An id in a path parses into its domain type before a handler runs, so handlers never see
//! strings, and a malformed id answers like an id that names nothing — 404 "<What> not
//! found" — in one place (`ApiError::from_poem`, through `not_found_subject`). The OpenAPI
//! document shows each as a `uuid`-formatted string.

use std::borrow::Cow;

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromParameter, ParseResult, Type},
};

use crate::domain::ids::{
    ConversationId, DraftId, InvitationId, JoinRequestId, MediaId, MessageId, OrgId, ReplyId, SessionId, TopicId,
    UseCaseId, UserId,
};

/// The subject ("Topic") of an id parameter that did not parse, from the reason
/// poem-openapi reports (`failed to parse "string_uuid": Topic not found`, perhaps wrapped
/// for an optional query parameter); `None` for every other parameter error.
pub fn not_found_subject(reason: &str) -> Option<&'static str> {
    IDS.iter().copied().find(|what| reason.contains(&format!("\"string_uuid\": {what} not found")))
}

macro_rules! path_ids {
    ($($id:ty => $what:literal),* $(,)?) => {
        /// The subjects of every typed path id.
        const IDS: &[&str] = &[$($what),*];
        $(
            impl Type for $id {
                const IS_REQUIRED: bool = true;
                type RawValueType = Self;
                type RawElementValueType = Self;

                fn name() -> Cow<'static, str> {
                    "string_uuid".into()
                }

                fn schema_ref() -> MetaSchemaRef {
                    MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "uuid")))
                }

                fn as_raw_value(&self) -> Option<&Self> {
                    Some(self)
                }

                fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                    Box::new(std::iter::once(self))
                }
            }

            impl ParseFromParameter for $id {
                fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                    value.parse().map_err(|_| ParseError::custom(concat!($what, " not found")))
                }
            }
        )*
    };
}

path_ids! {
    UserId => "User",
    OrgId => "Organization",
    TopicId => "Topic",
    ReplyId => "Reply",
    UseCaseId => "Use case",
    DraftId => "Draft",
    MediaId => "Media",
    InvitationId => "Invitation",
    JoinRequestId => "Join request",
    SessionId => "Session",
    ConversationId => "Conversation",
    MessageId => "Message",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_id_names_its_subject() {
        let err = TopicId::parse_from_parameter("nope").unwrap_err();
        assert_eq!(not_found_subject(err.message()), Some("Topic"));
        assert!(TopicId::parse_from_parameter(&TopicId::new().to_string()).is_ok());
        assert_eq!(not_found_subject("failed to parse \"integer\": Anything not found"), None);
    }
}
