//! A file's identity: the SHA-256 of its bytes. A run journals the digest of the file it was
//! planned from, so that a resume reads the passwords again only from that very file, and an
//! edited session can say which file its rows began as.

use sha2::{Digest, Sha256};

/// The SHA-256 of `bytes`, in lowercase hex.
pub fn file_digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::file_digest;

    #[test]
    fn the_digest_is_sha256_in_hex() {
        assert_eq!(
            file_digest(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(file_digest(b"abc"), file_digest(b"abd"));
    }
}
