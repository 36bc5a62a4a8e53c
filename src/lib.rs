//! Examples and integration tests of rivet; nothing to use from here.
