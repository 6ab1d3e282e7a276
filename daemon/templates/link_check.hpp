#pragma once
// Links in SMS templates (pure logic): India's DLT scrubbing passes a URL in
// an SMS only when it is written in the registered text (and whitelisted);
// a URL given whole as a variable, or one whose address differs from where
// the one-tap reply links point, is refused or lands nowhere. These are
// warnings of `orgcast templates check` and of the daemon at start: the
// template is valid, the deployment's registration decides.
#include <string>
#include <string_view>
#include <vector>

#include "templates/loader.hpp"

namespace orgcast::templates {

/// Each SMS variant's link problems, as file:line warnings. `link_base`:
/// where the reply links point (https://host, replies.link_base_url); "" unknown.
std::vector<TemplateError> link_warnings(const Catalog& catalog, std::string_view link_base);

}  // namespace orgcast::templates
