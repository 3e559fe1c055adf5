// Files compiled into the binary at build time (src/web/CMakeLists.txt), so
// the server needs nothing beside itself at run time and the page works
// offline: no files to find, no build step, no CDN.
#ifndef ALLOT_WEB_WEB_ASSETS_H_
#define ALLOT_WEB_WEB_ASSETS_H_

#include <string_view>

namespace allot::web {

// docs/openapi.json as it was when the binary was built.
std::string_view OpenApiDocument();
// src/web/dashboard.html with dashboard.css and dashboard.js inlined.
std::string_view DashboardPage();

}  // namespace allot::web

#endif  // ALLOT_WEB_WEB_ASSETS_H_
