//! Where generated code finds the runtime: `::rivet_core` unless `#[actor(crate = path)]` says
//! otherwise. Every path the macro generates starts here or at `::core`.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::Path;

/// The runtime crate's path, as generated code names it.
#[derive(Clone)]
pub(crate) struct Paths {
    krate: TokenStream,
}

impl Default for Paths {
    fn default() -> Self {
        Self {
            krate: quote!(::rivet_core),
        }
    }
}

impl Paths {
    /// The paths for `#[actor(crate = path)]`.
    pub(crate) fn with_crate(path: &Path) -> Self {
        Self {
            krate: path.to_token_stream(),
        }
    }

    /// The runtime crate: `::rivet_core`.
    pub(crate) fn krate(&self) -> &TokenStream {
        &self.krate
    }

    /// The support module for generated code: `::rivet_core::__private`.
    pub(crate) fn private(&self) -> TokenStream {
        let krate = &self.krate;
        quote!(#krate::__private)
    }

    /// The serde re-export, as a string for `#[serde(crate = "…")]`.
    pub(crate) fn serde_string(&self) -> String {
        let private = self.private().to_string();
        format!("{private}::serde").replace(' ', "")
    }
}
