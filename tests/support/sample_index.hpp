#pragma once
// The sample directory (sample_directory.hpp) as an org index, for pure tests.
#include <memory>

#include "directory/importer.hpp"
#include "directory/index_from_chunks.hpp"
#include "support/sample_directory.hpp"

namespace orgcast::fixtures {

inline std::shared_ptr<const directory::OrgIndex> sample_index() {
  directory::Vocabulary vocabulary(sample_directory_config());
  auto imported = directory::import_directory(kSampleUnits, kSampleContacts, vocabulary);
  std::string error;
  return directory::build_index_from_chunks(vocabulary, 1, imported.unit_chunks, imported.contact_chunks, {}, &error);
}

}  // namespace orgcast::fixtures
