//! A use-case draft: the content written so far, where the person was in the submission
//! wizard, the client's own state, and the media uploaded before publishing.

use serde::{Deserialize, Serialize};

use super::{MAX_MEDIA, UseCaseInput};
use crate::domain::{
    FieldErrors,
    engagement::{DraftFields, TargetKind},
    ids::MediaId,
};

/// The last wizard step a draft may name.
pub const MAX_STEP: u8 = 20;
/// The most bytes of opaque client state a draft keeps.
pub const MAX_CLIENT_STATE: usize = 4096;

/// A use-case draft. Drafts stored before it had a wizard step were the bare content; the
/// content's fields sit at the top level, so those read as drafts at step 0 without media.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UseCaseDraft {
    #[serde(flatten)]
    pub content: UseCaseInput,
    /// The wizard step the person left at (0 = not started).
    pub current_step: u8,
    /// Whatever the client keeps with the draft (opaque here, at most `MAX_CLIENT_STATE` bytes).
    pub client_state: String,
    /// Photos, videos and documents uploaded to the draft, in order; they become the use
    /// case's media when it is published.
    pub media: Vec<MediaId>,
}

impl DraftFields for UseCaseDraft {
    const KIND: TargetKind = TargetKind::UseCase;

    fn bounds(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.current_step > MAX_STEP {
            errors.insert("current_step".into(), format!("must be 0–{MAX_STEP}"));
        }
        if self.client_state.len() > MAX_CLIENT_STATE {
            errors.insert("client_state".into(), format!("at most {MAX_CLIENT_STATE} bytes"));
        }
        if self.media.len() > MAX_MEDIA {
            errors.insert("files".into(), format!("a draft carries at most {MAX_MEDIA} files"));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    fn media(&self) -> &[MediaId] {
        &self.media
    }
}
