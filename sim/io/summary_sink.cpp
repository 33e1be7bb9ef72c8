#include "sim/io/summary_sink.hpp"

#include <H5Cpp.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <type_traits>

#include "sim/io/hdf5_output.hpp"
#include "sim/io/hdf5_write.hpp"
#include "sim/io/input_error.hpp"
#include "sim/version.hpp"

namespace yidi::io {
namespace fs = std::filesystem;

namespace {
using hdf5::ensure_groups;
using hdf5::number_attribute;
using hdf5::text_attribute;
using hdf5::untimed_dataset;

template <class T>
void put_array(H5::H5File& f, std::set<std::string>& groups, const std::string& name,
               const std::vector<std::size_t>& shape, const std::vector<T>& data, const sim::DatasetAttributes* attr) {
  std::size_t n = 1;
  for (std::size_t d : shape) n *= d;
  if (n != data.size()) throw std::invalid_argument("summary dataset " + name + ": data do not fit the shape");
  H5::DataSet ds = hdf5::put_array(f, groups, name, shape, data);
  if (attr) {
    text_attribute(ds, "unit", attr->unit);
    text_attribute(ds, "description", attr->description);
    text_attribute(ds, "dims", attr->dims);
  }
}
}  // namespace

struct Hdf5SummarySink::File {
  std::unique_ptr<H5::H5File> file;
  H5::H5File& f() { return *file; }
  std::set<std::string> groups;
  bool closed = false;
};

namespace {
/// Runs an HDF5 step; its errors name the output (an HDF5 error alone would not say which file).
template <class F>
void guarded(const OutputFile& out, F&& step) {
  try {
    step();
  } catch (const H5::Exception& e) {
    throw InputError({out.target(), 0, 0}, "", "cannot build the HDF5 output in memory: " + e.getDetailMsg());
  }
}
}  // namespace

Hdf5SummarySink::Hdf5SummarySink(OutputFile& out) : out_(out), file_(std::make_unique<File>()) {
  H5::Exception::dontPrint();
  guarded(out_, [&] {
    H5::FileAccPropList fapl;
    fapl.setCore(std::size_t{1} << 20, false);
    file_->file = std::make_unique<H5::H5File>(out_.temp_path() + ".image", H5F_ACC_TRUNC,
                                               H5::FileCreatPropList::DEFAULT, fapl);
  });
}

Hdf5SummarySink::Hdf5SummarySink(std::unique_ptr<OutputFile> owned) : Hdf5SummarySink(*owned) {
  owned_ = std::move(owned);
}

Hdf5SummarySink::~Hdf5SummarySink() = default;

void Hdf5SummarySink::attributes(const sim::Attributes& a) {
  guarded(out_, [&] {
    H5::Group root = file_->f().openGroup("/");
    // Every file says which yidi wrote it (io::is_own_output: the only files --overwrite replaces).
    sim::Attributes with_version = a;
    with_version.text.emplace("yidi_version", kVersion);
    for (const auto& [k, v] : with_version.text) text_attribute(root, k, v);
    for (const auto& [k, v] : a.numbers) number_attribute(root, k, v);
  });
}

void Hdf5SummarySink::labels(const std::string& name, const std::vector<std::string>& labels) {
  guarded(out_, [&] {
    ensure_groups(file_->f(), name, file_->groups);
    std::size_t width = 1;
    for (const auto& l : labels) width = std::max(width, l.size());
    std::string buf(width * labels.size(), '\0');
    for (std::size_t i = 0; i < labels.size(); ++i) buf.replace(i * width, labels[i].size(), labels[i]);
    H5::StrType type(H5::PredType::C_S1, width);
    const hsize_t n = labels.size();
    H5::DataSet ds = file_->f().createDataSet(name, type, H5::DataSpace(1, &n), untimed_dataset());
    ds.write(buf.data(), type);
  });
}

void Hdf5SummarySink::dataset(const std::string& name, const std::vector<std::size_t>& shape,
                              const std::vector<double>& data, const sim::DatasetAttributes* attributes) {
  guarded(out_, [&] { put_array(file_->f(), file_->groups, name, shape, data, attributes); });
}

void Hdf5SummarySink::dataset(const std::string& name, const std::vector<std::size_t>& shape,
                              const std::vector<std::int64_t>& data, const sim::DatasetAttributes* attributes) {
  guarded(out_, [&] { put_array(file_->f(), file_->groups, name, shape, data, attributes); });
}

void Hdf5SummarySink::close() {
  if (file_->closed) throw std::logic_error("summary sink closed twice");
  std::string image;
  guarded(out_, [&] {
    file_->f().flush(H5F_SCOPE_GLOBAL);
    const ssize_t n = H5Fget_file_image(file_->f().getId(), nullptr, 0);
    if (n < 0) throw H5::FileIException("H5Fget_file_image", "cannot take the file image");
    image.resize(static_cast<std::size_t>(n));
    if (H5Fget_file_image(file_->f().getId(), image.data(), image.size()) != n)
      throw H5::FileIException("H5Fget_file_image", "cannot take the file image");
    file_->f().close();
  });
  file_->closed = true;
  // Written in two parts, with a test hook between them (a kill in the middle of the write).
  const std::size_t half = image.size() / 2;
  out_.write(std::string_view(image).substr(0, half));
  crash_point("hdf5:writing");
  out_.write(std::string_view(image).substr(half));
  out_.commit();
}

// ---- the sweep folder ------------------------------------------------------------------------

Hdf5SweepStore::Hdf5SweepStore(std::string dir, bool overwrite, InputFiles inputs)
    : dir_(std::move(dir)), overwrite_(overwrite), inputs_(std::move(inputs)) {}

Hdf5SweepStore::~Hdf5SweepStore() = default;

std::string Hdf5SweepStore::path(const std::string& file) const { return (fs::path(dir_) / file).string(); }

void Hdf5SweepStore::open() {
  (void)open_output_folder(dir_, "sweep folder", inputs_);
  // The index is rewritten by every sweep into the folder; opened now, so an unwritable folder is found at once.
  index_ = std::make_unique<OutputFile>(path("index.csv"), "sweep index", OutputKind::text, true, inputs_);
}

std::optional<sim::Attributes> Hdf5SweepStore::read(const std::string& file) {
  const std::string p = path(file);
  std::error_code ec;
  if (!fs::exists(p, ec) || !is_hdf5_file(p)) return std::nullopt;
  try {
    const Provenance prov = read_root_attributes_hdf5(p);
    return sim::Attributes{prov.text, prov.numbers};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool Hdf5SweepStore::exists(const std::string& file) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(path(file), ec));
}

void Hdf5SweepStore::check_replaceable(const std::string& file) {
  const std::string p = path(file);
  if (!overwrite_)
    throw InputError({p, 0, 0}, "",
                     "holds a point of another sweep (its scenario, values, --from, --regions or replicates differ); choose another "
                     "folder, or pass --overwrite to replace it");
  if (!is_own_output(p, OutputKind::hdf5))
    throw InputError({p, 0, 0}, "",
                     "exists and is not a yidi HDF5 output; yidi replaces only its own outputs (choose another folder)");
}

std::unique_ptr<sim::SummarySink> Hdf5SweepStore::point(const std::string& file) {
  return std::make_unique<Hdf5SummarySink>(
      std::make_unique<OutputFile>(path(file), "sweep point", OutputKind::hdf5, overwrite_, inputs_));
}

void Hdf5SweepStore::index(const std::string& text) {
  *index_ << text;
  index_->commit();
}

}  // namespace yidi::io
