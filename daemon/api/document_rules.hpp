#pragma once
// The API document (openapi/document.hpp) as the daemon's rules: each
// route takes the query parameters the document lists, and a JSON body
// must fit the document's schema for its route, or it is 400 with each
// bad field's pointer before any handler reads it.
#include "http/router.hpp"

namespace orgcast::api {

/// Call after every add and before the access guard wraps the routes.
void hold_routes_to_the_document(http::Router& router);

}  // namespace orgcast::api
