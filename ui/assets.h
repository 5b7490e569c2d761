// The log explorer's static files, embedded in the binary at build time
// (ui/embed.py generates the table from ui/*.{html,js,css} and uPlot's dist,
// installed by ui/npm_ci.sh from ui/package-lock.json).
//
// Paths are URL paths below /ui/, e.g. "index.html", "app.js",
// "vendor/uPlot.iife.min.js". Everything is static and immutable: the
// returned pointers and views live as long as the program.
#pragma once

#include <cstddef>
#include <string_view>

namespace lode::ui {

struct Asset {
  std::string_view path;          // below /ui/, no leading slash
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view etag;          // strong ETag, with its quotes
  std::string_view body;          // the file's bytes
  std::string_view gzip;          // gzip of body, or empty when that is not smaller
};

// The asset at `path`, or nullptr.
const Asset* FindAsset(std::string_view path);

// How many assets are embedded (for tests).
size_t AssetCount();

}  // namespace lode::ui
