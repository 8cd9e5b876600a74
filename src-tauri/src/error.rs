//! The one error type of the shell. Every command fails with it, and the window receives it as
//! `{"kind": "…", "message": "…"}`: `kind` tells the front end where to show the message (next to
//! the profile form, the file drop zone, the plan options…), `message` is what the core said, in
//! words an admin can act on.

use rollcall_core::genesys::GenesysError;
use rollcall_core::import::{EditError, ImportError};
use rollcall_core::plan::PlanError;
use rollcall_core::profiles::ProfileError;
use rollcall_core::run::{JournalError, RunError};
use rollcall_core::secrets::KeychainError;
use serde::ser::SerializeStruct;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The OS keychain is missing, locked or failed. Nothing was written anywhere else.
    #[error(transparent)]
    Keychain(KeychainError),
    /// A profile problem (no such profile, empty field, unknown region…).
    #[error(transparent)]
    Profile(ProfileError),
    /// Genesys (or the sandbox org) refused or could not be reached.
    #[error(transparent)]
    Genesys(GenesysError),
    /// The file could not be read at all.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// An edit of the rows was refused (no such row or column, a password column, nothing to
    /// find).
    #[error("That change cannot be made: {0}.")]
    Edit(#[from] EditError),
    /// The plan could not be made for a reason that is not Genesys's (an unknown division).
    #[error(transparent)]
    Plan(PlanError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Run(#[from] RunError),
    /// A file the user chose could not be written.
    #[error("{0}")]
    Io(String),
    /// The step asked for needs an earlier one first (plan before import, run before plan…).
    #[error("{0}")]
    NotReady(String),
    /// The plan was made from another reading of the file (another file, another mapping).
    #[error("{0}")]
    Stale(String),
    /// The user must agree first: the message is the question to ask (a resume whose journal
    /// does not say which org the run was started in). Asked again with the answer, it goes on.
    #[error("{0}")]
    Confirm(String),
    /// The window asked for something it may not have: a file the user did not hand over, an
    /// address that is neither a region nor a saved profile's.
    #[error("{0}")]
    Forbidden(String),
    /// An update could not be checked, downloaded, verified or installed; nothing was installed
    /// unless the message says so.
    #[error("{0}")]
    Update(String),
    /// A bug or an unexpected failure of the shell itself.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// The stable name the window keys on.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Keychain(_) => "keychain",
            // The window asks for the secret again, in the profile's form.
            Error::Profile(ProfileError::SecretBoundElsewhere(_)) => "secretElsewhere",
            Error::Profile(_) => "profile",
            Error::Genesys(e) if e.is_auth_or_permission() => "auth",
            Error::Genesys(_) => "connection",
            Error::Import(_) => "import",
            Error::Edit(_) => "edit",
            Error::Plan(_) => "plan",
            Error::Journal(_) => "journal",
            Error::Run(_) => "run",
            Error::Io(_) => "io",
            Error::NotReady(_) => "notReady",
            Error::Stale(_) => "stale",
            Error::Confirm(_) => "confirm",
            Error::Forbidden(_) => "forbidden",
            Error::Update(_) => "update",
            Error::Internal(_) => "internal",
        }
    }
}

impl From<KeychainError> for Error {
    fn from(error: KeychainError) -> Self {
        Error::Keychain(error)
    }
}

impl From<GenesysError> for Error {
    fn from(error: GenesysError) -> Self {
        Error::Genesys(error)
    }
}

impl From<ProfileError> for Error {
    /// Keychain and Genesys failures inside a profile operation keep their own kind, so the
    /// window can say "the keychain…" or "Genesys…" rather than "the profile…".
    fn from(error: ProfileError) -> Self {
        match error {
            ProfileError::Keychain(e) => Error::Keychain(e),
            ProfileError::Genesys(e) => Error::Genesys(e),
            other => Error::Profile(other),
        }
    }
}

impl From<PlanError> for Error {
    fn from(error: PlanError) -> Self {
        match error {
            PlanError::Genesys(e) => Error::Genesys(e),
            other => Error::Plan(other),
        }
    }
}

impl From<tauri::Error> for Error {
    fn from(error: tauri::Error) -> Self {
        Error::Internal(error.to_string())
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(error: tokio::task::JoinError) -> Self {
        Error::Internal(format!("a background task failed: {error}"))
    }
}

impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut error = serializer.serialize_struct("Error", 2)?;
        error.serialize_field("kind", self.kind())?;
        error.serialize_field("message", &self.to_string())?;
        error.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_error_reaches_the_window_as_kind_and_message() {
        let error = Error::NotReady("Open a file first.".to_owned());
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({"kind": "notReady", "message": "Open a file first."})
        );
    }

    #[test]
    fn a_question_for_the_user_reaches_the_window_as_confirm() {
        let error = Error::Confirm("Go on writing to EMEA (Dublin) (eu-west-1)?".to_owned());
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({"kind": "confirm", "message": "Go on writing to EMEA (Dublin) (eu-west-1)?"})
        );
    }

    #[test]
    fn a_missing_keychain_is_a_keychain_error_that_says_nothing_was_saved() {
        let error = Error::from(ProfileError::Keychain(KeychainError::Unavailable(
            "no Secret Service".to_owned(),
        )));
        let value = serde_json::to_value(&error).unwrap();
        assert_eq!(value["kind"], "keychain");
        let message = value["message"].as_str().unwrap();
        assert!(message.contains("nothing was saved"), "{message}");
        assert!(message.contains("no Secret Service"), "{message}");
        assert!(
            !message.contains("GENESYS_") && !message.contains("environment"),
            "a desktop user is never told to put the secret in the environment: {message}"
        );
        assert_eq!(value.as_object().unwrap().len(), 2, "only kind and message");
    }

    #[test]
    fn a_secret_saved_for_another_org_asks_the_window_for_it_again() {
        use rollcall_core::profiles::{BindingMismatch, Profile, Target};
        use rollcall_core::secrets::SecretBinding;
        let now = SecretBinding {
            endpoint: "https://genesys-proxy.example.com".to_owned(),
            client_id: "abc".to_owned(),
        };
        let error = Error::from(ProfileError::SecretBoundElsewhere(Box::new(
            BindingMismatch {
                profile: Profile {
                    name: "EU prod".to_owned(),
                    target: Target::Custom {
                        api_url: now.endpoint.clone(),
                    },
                    client_id: "abc".to_owned(),
                    rate_per_minute: None,
                },
                saved: SecretBinding {
                    endpoint: "https://api.mypurecloud.ie".to_owned(),
                    client_id: "abc".to_owned(),
                },
                now,
            },
        )));
        let value = serde_json::to_value(&error).unwrap();
        assert_eq!(value["kind"], "secretElsewhere");
        let message = value["message"].as_str().unwrap();
        assert!(
            message.contains("belongs to client abc at https://api.mypurecloud.ie")
                && message.ends_with(
                    "enter the secret again for client abc at https://genesys-proxy.example.com."
                ),
            "{message}"
        );
        assert!(
            !message.contains("rollcall profiles"),
            "no CLI command in the app: {message}"
        );
    }

    #[test]
    fn an_import_failure_names_the_line_to_fix() {
        let error = Error::from(ImportError::NoDataRows { header_line: 1 });
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({
                "kind": "import",
                "message": "line 1: the file has a header but no user rows below it"
            })
        );
    }

    #[test]
    fn a_refused_edit_says_why_as_an_edit_error() {
        let error = Error::from(EditError::NoSuchRow { line: 7 });
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({
                "kind": "edit",
                "message": "That change cannot be made: there is no row on line 7 (it may have \
                            been removed)."
            })
        );
    }

    #[test]
    fn an_unknown_profile_and_an_unknown_division_keep_their_own_kinds() {
        let missing = Error::from(ProfileError::NotFound("EU prod".to_owned()));
        assert_eq!(
            serde_json::to_value(&missing).unwrap(),
            json!({"kind": "profile", "message": "There is no profile named \"EU prod\"."})
        );
        let division = Error::from(PlanError::UnknownDefaultDivision {
            name: "Sals".to_owned(),
            suggestions: vec!["Sales".to_owned()],
        });
        let value = serde_json::to_value(&division).unwrap();
        assert_eq!(value["kind"], "plan");
        assert!(
            value["message"].as_str().unwrap().contains("\"Sales\""),
            "{value}"
        );
    }

    #[test]
    fn a_wrong_secret_is_an_auth_error_that_mentions_the_region() {
        let error = Error::from(GenesysError::Auth(rollcall_core::genesys::OAuthError {
            status: 400,
            error: "invalid_client".to_owned(),
            description: "authentication failed".to_owned(),
            endpoint: "EMEA (Dublin) (eu-west-1)".to_owned(),
            correlation_id: None,
        }));
        let value = serde_json::to_value(&error).unwrap();
        assert_eq!(value["kind"], "auth");
        let message = value["message"].as_str().unwrap();
        assert!(message.contains("wrong client id/secret"), "{message}");
        assert!(message.contains("eu-west-1"), "{message}");
    }
}
