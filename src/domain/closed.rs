//! Closed sets of names — use-case categories, industries, company sizes — each value with
//! one wire name. The list of every value belongs to the type, so the API documents the set
//! as an enum and parses it from that one list, and a stored name outside the set (data
//! from before the set was closed) still reads as the nearest value instead of failing.

/// A type whose values are a fixed list of names.
pub trait ClosedSet: Copy + PartialEq + Send + Sync + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The name of the set in the API document.
    const SCHEMA: &'static str;
    /// What the set is, for the API document.
    const DESCRIPTION: &'static str;

    /// The wire name of the value.
    fn name(self) -> &'static str;

    /// The value named exactly `name`.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.name() == name)
    }
}

/// Defines an enum of unit variants, each with its wire name, as a `ClosedSet`.
macro_rules! closed_set {
    (
        #[doc = $doc:literal] $schema:literal, $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $wire:literal),* $(,)?
        } $(else $fallback:ident)?
    ) => {
        #[doc = $doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* $variant),*
        }

        impl $crate::domain::closed::ClosedSet for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),*];
            const SCHEMA: &'static str = $schema;
            const DESCRIPTION: &'static str = $doc;

            fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire),*
                }
            }
        }

        $(
            impl $name {
                /// The value a stored name stands for; names from before the set was closed
                #[doc = concat!("read as `", stringify!($fallback), "`.")]
                pub fn of_stored(name: &str) -> Self {
                    <Self as $crate::domain::closed::ClosedSet>::from_name(name).unwrap_or(Self::$fallback)
                }
            }
        )?

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::domain::closed::ClosedSet::name(*self))
            }
        }
    };
}

pub(crate) use closed_set;

closed_set! {
    #[doc = "An industry sector, as the signup form offers them."]
    "Industry", pub enum Industry {
        Electronics = "Electronics Manufacturing",
        Automotive = "Automotive Manufacturing",
        Plastics = "Plastics Manufacturing",
        Textile = "Textile Manufacturing",
        FoodBeverage = "Food & Beverage",
        Pharmaceutical = "Pharmaceutical",
        Chemical = "Chemical Processing",
        Metal = "Metal Processing",
        Aerospace = "Aerospace",
        Other = "Other",
    } else Other
}

closed_set! {
    #[doc = "A company's size by head count: startup 1–10, small 11–50, medium 51–200, large 201–1,000, enterprise over 1,000."]
    "CompanySize", pub enum CompanySize {
        Startup = "startup",
        Small = "small",
        Medium = "medium",
        Large = "large",
        Enterprise = "enterprise",
    } else Medium // the reference's default size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_strangers_fall_back() {
        for i in Industry::ALL {
            assert_eq!(Industry::from_name(i.name()), Some(*i));
        }
        assert_eq!(Industry::of_stored("Plastics & Chemicals"), Industry::Other);
        assert_eq!(CompanySize::of_stored("200-500"), CompanySize::Medium);
        assert_eq!(serde_json::to_string(&Industry::FoodBeverage).unwrap(), "\"Food & Beverage\"");
    }
}
