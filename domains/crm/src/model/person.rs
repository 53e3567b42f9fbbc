//! People (contacts): who the organization talks to, usually at a company.

use gremlin_kernel::{FieldError, UserId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::fields::{Check, MAX_LIST_LEN, MAX_NAME_LEN, name_key};
use super::record::{Record, RecordFields, RecordKind};

/// A person of an organization.
pub type Person = Record<PersonFields>;

/// One of a person's e-mail addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAddress {
    /// The address, as given (trimmed).
    pub address: String,
    /// Whether it is the one to write to; exactly one is, when there are any.
    pub primary: bool,
}

/// What a person record says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonFields {
    /// Given name (this or `last_name` is required).
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// E-mail addresses, at most 20, one primary.
    pub emails: Vec<EmailAddress>,
    /// Phone numbers, at most 20.
    pub phones: Vec<String>,
    /// Job title.
    pub job_title: Option<String>,
    /// The company they work at (a company of the same organization).
    pub company_id: Option<Uuid>,
    /// The member responsible for them.
    pub owner_id: Option<UserId>,
    /// Free labels, at most 50.
    pub tags: Vec<String>,
}

impl PersonFields {
    /// First and last name, as one.
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).trim().to_owned()
    }

    /// The key the full name is matched by for duplicates.
    pub fn name_key(&self) -> String {
        name_key(&self.full_name())
    }

    /// The primary address, lower case: the key e-mail duplicates are
    /// matched by.
    pub fn primary_email(&self) -> Option<String> {
        self.emails.iter().find(|e| e.primary).map(|e| e.address.to_lowercase())
    }
}

impl RecordFields for PersonFields {
    const KIND: RecordKind = RecordKind::Person;

    fn normalized(self) -> Result<Self, Vec<FieldError>> {
        let mut check = Check::default();
        let first_name = check.optional("first_name", Some(&self.first_name), MAX_NAME_LEN).unwrap_or_default();
        let last_name = check.optional("last_name", Some(&self.last_name), MAX_NAME_LEN).unwrap_or_default();
        if first_name.is_empty() && last_name.is_empty() {
            check.fail("first_name", "give a first name, a last name or both");
        }
        let mut emails: Vec<EmailAddress> = Vec::new();
        for (i, email) in self.emails.iter().enumerate() {
            let address = check.email(&format!("emails[{i}].address"), &email.address);
            match emails.iter_mut().find(|e| e.address.eq_ignore_ascii_case(&address)) {
                Some(kept) => kept.primary |= email.primary,
                None => emails.push(EmailAddress { address, primary: email.primary }),
            }
        }
        match emails.iter().filter(|e| e.primary).count() {
            0 => {
                if let Some(first) = emails.first_mut() {
                    first.primary = true;
                }
            }
            1 => {}
            _ => check.fail("emails", "exactly one address is primary"),
        }
        if emails.len() > MAX_LIST_LEN {
            check.fail("emails", format!("at most {MAX_LIST_LEN} addresses"));
        }
        let phones: Vec<String> =
            self.phones.iter().enumerate().map(|(i, p)| check.phone(&format!("phones[{i}]"), p)).collect();
        if phones.len() > MAX_LIST_LEN {
            check.fail("phones", format!("at most {MAX_LIST_LEN} numbers"));
        }
        let fields = PersonFields {
            first_name,
            last_name,
            emails,
            phones,
            job_title: check.optional("job_title", self.job_title.as_deref(), MAX_NAME_LEN),
            company_id: self.company_id,
            owner_id: self.owner_id,
            tags: check.tags(&self.tags),
        };
        check.finish(fields)
    }

    fn owner(&self) -> Option<&UserId> {
        self.owner_id.as_ref()
    }

    fn display_name(&self) -> String {
        self.full_name()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn ada() -> PersonFields {
        PersonFields {
            first_name: " Ada ".into(),
            last_name: "Lovelace".into(),
            emails: vec![],
            phones: vec!["+44 20 7946 0000".into()],
            job_title: None,
            company_id: None,
            owner_id: None,
            tags: vec![],
        }
    }

    fn email(address: &str, primary: bool) -> EmailAddress {
        EmailAddress { address: address.into(), primary }
    }

    #[test]
    fn the_first_address_is_primary_unless_one_is_chosen() {
        let p = PersonFields { emails: vec![email("a@x.io", false), email("b@x.io", false)], ..ada() };
        let p = p.normalized().unwrap();
        assert_eq!(p.primary_email().as_deref(), Some("a@x.io"));
        let chosen = PersonFields { emails: vec![email("a@x.io", false), email("B@X.io", true)], ..ada() };
        assert_eq!(chosen.normalized().unwrap().primary_email().as_deref(), Some("b@x.io"));
        assert_eq!(ada().normalized().unwrap().primary_email(), None);
    }

    #[test]
    fn two_primary_addresses_or_no_name_are_refused() {
        let two = PersonFields { emails: vec![email("a@x.io", true), email("b@x.io", true)], ..ada() };
        assert_eq!(two.normalized().unwrap_err()[0].field, "emails");
        let nameless = PersonFields { first_name: " ".into(), last_name: "".into(), ..ada() };
        assert_eq!(nameless.normalized().unwrap_err()[0].field, "first_name");
        let only_last = PersonFields { first_name: "".into(), ..ada() }.normalized().unwrap();
        assert_eq!(only_last.full_name(), "Lovelace");
    }

    #[test]
    fn the_same_address_twice_is_kept_once() {
        let p = PersonFields { emails: vec![email("a@x.io", false), email("A@x.io", true)], ..ada() };
        let p = p.normalized().unwrap();
        assert_eq!(p.emails, [email("a@x.io", true)]);
    }

    proptest! {
        #[test]
        fn normalized_people_have_exactly_one_primary_address_when_they_have_any(
            picks in proptest::collection::vec((0usize..5, any::<bool>()), 0..8)
        ) {
            let emails = picks.iter().map(|(i, primary)| email(&format!("p{i}@x.io"), *primary)).collect();
            if let Ok(p) = (PersonFields { emails, ..ada() }).normalized() {
                let primaries = p.emails.iter().filter(|e| e.primary).count();
                prop_assert_eq!(primaries, usize::from(!p.emails.is_empty()));
                prop_assert!(p.emails.len() <= 5);
            }
        }
    }
}
