//! Newtype identifiers: time-ordered UUIDv7 values with fixed-width key bytes.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered identifier.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            /// The 16 big-endian bytes used as (part of) a storage key; sorts by creation time.
            pub fn key(&self) -> [u8; 16] {
                *self.0.as_bytes()
            }
            /// Rebuilds an identifier from its key bytes.
            pub fn from_key(bytes: &[u8]) -> Option<Self> {
                Uuid::from_slice(bytes).ok().map(Self)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// Identifies a user account.
    UserId
);
id_type!(
    /// Identifies an organization.
    OrgId
);
id_type!(
    /// Identifies a login session.
    SessionId
);
id_type!(
    /// Identifies a request to join an organization.
    JoinRequestId
);
id_type!(
    /// Identifies a forum topic.
    TopicId
);
id_type!(
    /// Identifies a forum reply.
    ReplyId
);
id_type!(
    /// Identifies a use case.
    UseCaseId
);
id_type!(
    /// Identifies a saved draft.
    DraftId
);
id_type!(
    /// Identifies a stored media object.
    MediaId
);
id_type!(
    /// Identifies an invitation.
    InvitationId
);
id_type!(
    /// Identifies a background job.
    JobId
);
id_type!(
    /// Identifies a new-device login challenge.
    ChallengeId
);
id_type!(
    /// Identifies a private conversation between two people.
    ConversationId
);
id_type!(
    /// Identifies a private message.
    MessageId
);
id_type!(
    /// Identifies a notification.
    NotificationId
);
id_type!(
    /// Identifies an entry of the activity feed.
    ActivityId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_sort_by_creation() {
        let a = UserId::new();
        let b = UserId::new();
        assert!(a.key() < b.key());
        assert_eq!(UserId::from_key(&a.key()), Some(a));
        assert_eq!(a.to_string().parse::<UserId>().ok(), Some(a));
    }
}
