#pragma once
// The HDF5 calls every yidi file is written with (run files, sim/io/hdf5_output.cpp; experiment
// summaries, sim/io/summary_sink.cpp), so both are laid out alike: no object timestamps (the same
// inputs give the same bytes), groups made on the way to a dataset, text and number attributes.
// Internal to sim/io.
#include <H5Cpp.h>

#include <cstdint>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

namespace yidi::io::hdf5 {

inline H5::DSetCreatPropList untimed_dataset() {
  H5::DSetCreatPropList p;
  H5Pset_obj_track_times(p.getId(), false);
  return p;
}

/// Creates the groups on the way to `path` not yet in `made` (untimed), and records them there.
inline void ensure_groups(H5::H5File& f, const std::string& path, std::set<std::string>& made) {
  for (std::size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    const std::string g = path.substr(0, pos);
    if (made.insert(g).second) {
      H5::LinkCreatPropList lcpl;
      hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
      H5Pset_obj_track_times(gcpl, false);
      const hid_t id = H5Gcreate2(f.getId(), g.c_str(), lcpl.getId(), gcpl, H5P_DEFAULT);
      H5Pclose(gcpl);
      if (id < 0) throw H5::GroupIException("create group", g);
      H5Gclose(id);
    }
  }
}

inline void text_attribute(H5::H5Object& obj, const std::string& name, const std::string& value) {
  H5::StrType type(H5::PredType::C_S1, value.empty() ? 1 : value.size());
  H5::Attribute a = obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  a.write(type, value.empty() ? std::string(1, '\0') : value);
}

inline void number_attribute(H5::H5Object& obj, const std::string& name, std::int64_t value) {
  H5::Attribute a = obj.createAttribute(name, H5::PredType::NATIVE_INT64, H5::DataSpace(H5S_SCALAR));
  a.write(H5::PredType::NATIVE_INT64, &value);
}

/// An int64 or double array of `shape` at `name` (row-major), its groups made on the way.
template <class T>
H5::DataSet put_array(H5::H5File& f, std::set<std::string>& groups, const std::string& name,
                      const std::vector<std::size_t>& shape, const std::vector<T>& data) {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, std::int64_t>);
  ensure_groups(f, name, groups);
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
  const auto& type = std::is_same_v<T, double> ? H5::PredType::NATIVE_DOUBLE : H5::PredType::NATIVE_INT64;
  H5::DataSet ds = f.createDataSet(name, type, space, untimed_dataset());
  if (!data.empty()) ds.write(data.data(), type);
  return ds;
}

}  // namespace yidi::io::hdf5
