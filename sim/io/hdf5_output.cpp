#include "sim/io/hdf5_output.hpp"

#include <H5Cpp.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <type_traits>

#include "sim/io/hdf5_write.hpp"
#include "sim/io/input_error.hpp"
#include "sim/version.hpp"

namespace yidi::io {
namespace {

using hdf5::ensure_groups;
using hdf5::number_attribute;
using hdf5::text_attribute;
using hdf5::untimed_dataset;

void write_labels(H5::H5File& f, std::set<std::string>& groups, const sim::Results* results) {
  ensure_groups(f, "labels/x", groups);
  auto put = [&](const std::string& name, const std::vector<std::string>& labels) {
    std::size_t width = 1;
    for (const auto& l : labels) width = std::max(width, l.size());
    std::string buf(width * labels.size(), '\0');
    for (std::size_t i = 0; i < labels.size(); ++i) buf.replace(i * width, labels[i].size(), labels[i]);
    H5::StrType type(H5::PredType::C_S1, width);
    const hsize_t n = labels.size();
    H5::DataSet ds = f.createDataSet("labels/" + name, type, H5::DataSpace(1, &n), untimed_dataset());
    if (n > 0) ds.write(buf.data(), type);
  };
  for (sim::Dim d : {sim::Dim::region, sim::Dim::province, sim::Dim::group, sim::Dim::scheme, sim::Dim::visit_type,
                     sim::Dim::path, sim::Dim::reason})
    put(sim::dim_name(d), results != nullptr ? results->labels(d) : sim::dim_labels(d));
  // The regional dimensions' names beside their codes (a run's, from its world).
  const sim::RunLabels names = results != nullptr ? results->run_labels() : sim::RunLabels::of_schema();
  const auto put_names = [&](const char* dim, const std::vector<std::string>& codes, const std::vector<std::string>& zh,
                             const std::vector<std::string>& en) {
    put(std::string(dim) + "_name", zh.size() == codes.size() ? zh : codes);
    put(std::string(dim) + "_name_en", en.size() == codes.size() ? en : codes);
  };
  put_names("region", names.regions, names.region_names, names.region_names_en);
  put_names("province", names.provinces, names.province_names, names.province_names_en);
}

using hdf5::put_array;

/// What every yidi file starts with: the provenance as root attributes, then the dimension labels.
void write_header(H5::H5File& f, std::set<std::string>& groups, const Provenance& prov,
                  const sim::Results* results = nullptr) {
  H5::Group root = f.openGroup("/");
  // Every file says which yidi wrote it (io::is_own_output: the only files --overwrite replaces).
  Provenance with_version = prov;
  with_version.text.emplace("yidi_version", kVersion);
  for (const auto& [k, v] : with_version.text) text_attribute(root, k, v);
  for (const auto& [k, v] : prov.numbers) number_attribute(root, k, v);
  write_labels(f, groups, results);
}

void write_all(H5::H5File& f, const sim::Results& results, const Provenance& prov) {
  std::set<std::string> groups;
  write_header(f, groups, prov, &results);
  for (const auto& spec : sim::output_schema()) {
    const auto& data = results.data(spec.name);
    H5::DataSet ds = spec.integer ? put_array(f, groups, spec.name, results.shape(spec), data.i)
                                  : put_array(f, groups, spec.name, results.shape(spec), data.f);
    text_attribute(ds, "unit", spec.unit);
    text_attribute(ds, "description", spec.description);
    std::string dims_text;
    for (std::size_t i = 0; i < spec.dims.size(); ++i) dims_text += (i ? "," : "") + std::string(sim::dim_name(spec.dims[i]));
    text_attribute(ds, "dims", dims_text);
  }
}

/// Builds the file in memory (HDF5's core driver, no backing store) and writes its image through
/// `out`: the disk is written by io::FileWriter, whose errors name the path and the OS reason (an
/// HDF5 error would say only "H5Dwrite failed"), and a failure leaves no half-written HDF5 file.
/// The image is byte for byte the file HDF5 would have written itself.
template <class Write>
void write_image(OutputFile& out, Write&& write) {
  H5::Exception::dontPrint();
  std::string image;
  try {
    H5::FileAccPropList fapl;
    fapl.setCore(std::size_t{1} << 20, false);
    H5::H5File f(out.temp_path() + ".image", H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, fapl);
    write(f);
    f.flush(H5F_SCOPE_GLOBAL);
    const ssize_t n = H5Fget_file_image(f.getId(), nullptr, 0);
    if (n < 0) throw H5::FileIException("H5Fget_file_image", "cannot take the file image");
    image.resize(static_cast<std::size_t>(n));
    if (H5Fget_file_image(f.getId(), image.data(), image.size()) != n)
      throw H5::FileIException("H5Fget_file_image", "cannot take the file image");
    f.close();
  } catch (const H5::Exception& e) {
    throw InputError({out.target(), 0, 0}, "", "cannot build the HDF5 output in memory: " + e.getDetailMsg());
  }
  // Written in two parts, with a test hook between them (a kill in the middle of the write).
  const std::size_t half = image.size() / 2;
  out.write(std::string_view(image).substr(0, half));
  crash_point("hdf5:writing");
  out.write(std::string_view(image).substr(half));
}

}  // namespace

void write_results_hdf5(OutputFile& out, const sim::Results& results, const Provenance& prov) {
  write_image(out, [&](H5::H5File& f) { write_all(f, results, prov); });
}

void write_results_hdf5(const std::string& path, const sim::Results& results, const Provenance& prov) {
  OutputFile out(path, "run output", OutputKind::hdf5, false);
  write_results_hdf5(out, results, prov);
  out.commit();
}

Dataset64 read_dataset_hdf5(const std::string& path, const std::string& name) {
  H5::Exception::dontPrint();
  H5::H5File f(path, H5F_ACC_RDONLY);
  H5::DataSet ds = f.openDataSet(name);
  H5::DataSpace space = ds.getSpace();
  std::vector<hsize_t> dims(static_cast<std::size_t>(space.getSimpleExtentNdims()));
  space.getSimpleExtentDims(dims.data());
  Dataset64 out;
  std::size_t n = 1;
  for (hsize_t d : dims) {
    out.shape.push_back(static_cast<std::size_t>(d));
    n *= static_cast<std::size_t>(d);
  }
  if (ds.getTypeClass() == H5T_INTEGER) {
    out.i.resize(n);
    if (n) ds.read(out.i.data(), H5::PredType::NATIVE_INT64);
  } else {
    out.f.resize(n);
    if (n) ds.read(out.f.data(), H5::PredType::NATIVE_DOUBLE);
  }
  return out;
}

sim::Results read_results_hdf5(const std::string& path) {
  std::map<std::string, sim::Series64> data;
  std::size_t months = 0;
  try {
    for (const auto& spec : sim::output_schema()) {
      Dataset64 d = read_dataset_hdf5(path, spec.name);
      if (spec.dims.front() == sim::Dim::month && !d.shape.empty()) months = d.shape.front();
      data[spec.name] = sim::Series64{std::move(d.i), std::move(d.f)};
    }
    // The file's own regions and provinces (a run's come from its world).
    sim::RunLabels labels = sim::RunLabels::of_regions(read_labels_hdf5(path, "labels/region"));
    labels.provinces = read_labels_hdf5(path, "labels/province");
    labels.region_names = read_labels_hdf5(path, "labels/region_name");
    labels.region_names_en = read_labels_hdf5(path, "labels/region_name_en");
    labels.province_names = read_labels_hdf5(path, "labels/province_name");
    labels.province_names_en = read_labels_hdf5(path, "labels/province_name_en");
    return sim::Results::from_raw(std::move(labels), months, std::move(data));
  } catch (const H5::Exception& e) {
    throw InputError({path, 0, 0}, "", "not a yidi run file: " + e.getDetailMsg());
  } catch (const std::invalid_argument& e) {
    throw InputError({path, 0, 0}, "", std::string("does not fit this version's output schema: ") + e.what());
  }
}

std::string read_text_attribute_hdf5(const std::string& path, const std::string& name) {
  H5::Exception::dontPrint();
  H5::H5File f(path, H5F_ACC_RDONLY);
  H5::Attribute a = f.openGroup("/").openAttribute(name);
  std::string out;
  a.read(a.getStrType(), out);
  return out;
}

std::int64_t read_number_attribute_hdf5(const std::string& path, const std::string& name) {
  H5::Exception::dontPrint();
  H5::H5File f(path, H5F_ACC_RDONLY);
  H5::Attribute a = f.openGroup("/").openAttribute(name);
  std::int64_t v = 0;
  a.read(H5::PredType::NATIVE_INT64, &v);
  return v;
}

bool is_hdf5_file(const std::string& path) {
  H5::Exception::dontPrint();
  return H5Fis_hdf5(path.c_str()) > 0;
}

bool has_dataset_hdf5(const std::string& path, const std::string& name) {
  H5::Exception::dontPrint();
  H5::H5File f(path, H5F_ACC_RDONLY);
  // H5Lexists needs every link on the way to exist, so walk the path one part at a time.
  for (std::size_t pos = name.find('/'); pos != std::string::npos; pos = name.find('/', pos + 1))
    if (H5Lexists(f.getId(), name.substr(0, pos).c_str(), H5P_DEFAULT) <= 0) return false;
  if (H5Lexists(f.getId(), name.c_str(), H5P_DEFAULT) <= 0) return false;
  return f.childObjType(name) == H5O_TYPE_DATASET;
}

Provenance read_root_attributes_hdf5(const std::string& path) {
  H5::Exception::dontPrint();
  H5::H5File f(path, H5F_ACC_RDONLY);
  H5::Group root = f.openGroup("/");
  Provenance out;
  const int n = root.getNumAttrs();
  for (int i = 0; i < n; ++i) {
    H5::Attribute a = root.openAttribute(static_cast<unsigned>(i));
    const std::string name = a.getName();
    if (a.getSpace().getSimpleExtentNpoints() != 1) continue;  // only scalars are provenance
    switch (a.getTypeClass()) {
      case H5T_STRING: {
        std::string v;
        a.read(a.getStrType(), v);
        out.text[name] = v.c_str();  // fixed-length strings may carry padding NULs
        break;
      }
      case H5T_INTEGER: {
        std::int64_t v = 0;
        a.read(H5::PredType::NATIVE_INT64, &v);
        out.numbers[name] = v;
        break;
      }
      case H5T_FLOAT: {
        double v = 0;
        a.read(H5::PredType::NATIVE_DOUBLE, &v);
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", v);
        for (int p = 1; p <= 17; ++p) {  // the shortest form that reads back exactly
          std::snprintf(buf, sizeof buf, "%.*g", p, v);
          if (std::strtod(buf, nullptr) == v) break;
        }
        out.text[name] = buf;
        break;
      }
      default: break;
    }
  }
  return out;
}

std::vector<std::string> read_labels_hdf5(const std::string& path, const std::string& name) {
  H5::Exception::dontPrint();
  H5::H5File f(path, H5F_ACC_RDONLY);
  H5::DataSet ds = f.openDataSet(name);
  if (ds.getTypeClass() != H5T_STRING)
    throw InputError({path, 0, 0}, name, "expected a dataset of strings");
  H5::StrType type = ds.getStrType();
  if (type.isVariableStr()) throw InputError({path, 0, 0}, name, "expected fixed-length strings");
  const std::size_t width = type.getSize();
  const auto n = static_cast<std::size_t>(ds.getSpace().getSimpleExtentNpoints());
  std::string buf(width * n, '\0');
  if (n) ds.read(buf.data(), type);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.emplace_back(buf.substr(i * width, width).c_str());
  return out;
}

}  // namespace yidi::io
