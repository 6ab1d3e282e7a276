#pragma once
// The signed JWT a Google service account exchanges for an OAuth2 access
// token (RFC 7523): RS256 over base64url(header).base64url(claims), signed
// with OpenSSL.
#include <optional>
#include <string>
#include <string_view>

namespace orgcast::adapters {

std::string base64url(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

/// header.claims.signature; nullopt (and `error`) when the PEM key cannot be used.
std::optional<std::string> sign_rs256_jwt(std::string_view header_json, std::string_view claims_json, std::string_view private_key_pem,
                                          std::string& error);

/// True when `jwt` is signed by the private key of this public key (PEM): for the fake and tests.
bool verify_rs256_jwt(std::string_view jwt, std::string_view public_key_pem);

}  // namespace orgcast::adapters
