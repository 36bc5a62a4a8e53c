//! Reading the user's tokens, without judging them beyond their syntax.

pub(crate) mod method;
pub(crate) mod options;
