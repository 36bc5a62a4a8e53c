//! x
use proc_macro::TokenStream;
/// x
#[proc_macro_attribute]
pub fn actor(_a: TokenStream, i: TokenStream) -> TokenStream { i }
