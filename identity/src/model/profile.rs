//! The user-editable profile fields and their limits.

use crate::error::AuthError;

/// Longest display name accepted.
pub const MAX_NAME_LEN: usize = 200;
/// Longest image URL accepted.
pub const MAX_IMAGE_LEN: usize = 2048;

/// Checks a display name: not blank, at most 200 characters.
pub fn check_name(name: &str) -> Result<(), AuthError> {
    if name.trim().is_empty() {
        return Err(AuthError::validation("name", "Name must not be empty"));
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(AuthError::validation("name", format!("Name must be at most {MAX_NAME_LEN} characters")));
    }
    Ok(())
}

/// Checks an image URL: at most 2048 characters, no whitespace.
pub fn check_image(image: &str) -> Result<(), AuthError> {
    if image.len() > MAX_IMAGE_LEN || image.chars().any(char::is_whitespace) {
        return Err(AuthError::validation(
            "image",
            format!("Image must be a URL of at most {MAX_IMAGE_LEN} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_images_are_bounded() {
        assert!(check_name("Alice").is_ok());
        assert!(check_name("  ").is_err());
        assert!(check_name(&"a".repeat(201)).is_err());
        assert!(check_image("https://example.com/a.png").is_ok());
        assert!(check_image("not a url").is_err());
        assert!(check_image(&"a".repeat(2049)).is_err());
    }
}
