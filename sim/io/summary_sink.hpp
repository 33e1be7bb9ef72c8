#pragma once
// The HDF5 writer behind the experiment layer's sinks (sim/engine/summary_sink.hpp): a summary
// file is built in memory (HDF5's core driver, object timestamps off, so the same summary gives
// the same bytes) and its image written through an io::OutputFile when the sink is closed; a sweep
// folder holds one such file per grid point and index.csv (docs/experiments.md).
#include <memory>
#include <string>

#include "sim/engine/summary_sink.hpp"
#include "sim/io/output.hpp"

namespace yidi::io {

/// A summary file written into `out`; close() writes the image and commits `out`.
class Hdf5SummarySink : public sim::SummarySink {
public:
  explicit Hdf5SummarySink(OutputFile& out);
  /// The same into a file of its own (e.g. a sweep point).
  explicit Hdf5SummarySink(std::unique_ptr<OutputFile> owned);
  ~Hdf5SummarySink() override;
  Hdf5SummarySink(const Hdf5SummarySink&) = delete;
  Hdf5SummarySink& operator=(const Hdf5SummarySink&) = delete;
  /// The text attributes always carry yidi_version (io::is_own_output recognises the file by it).
  void attributes(const sim::Attributes& a) override;
  void labels(const std::string& name, const std::vector<std::string>& labels) override;
  void dataset(const std::string& name, const std::vector<std::size_t>& shape, const std::vector<double>& data,
               const sim::DatasetAttributes* attributes) override;
  void dataset(const std::string& name, const std::vector<std::size_t>& shape, const std::vector<std::int64_t>& data,
               const sim::DatasetAttributes* attributes) override;
  void close() override;

private:
  struct File;
  std::unique_ptr<OutputFile> owned_;
  OutputFile& out_;
  std::unique_ptr<File> file_;
};

/// The folder of `yidi sweep -o DIR` (io::open_output_folder): point files replaced only with
/// `overwrite` and only when yidi's own; never one of `inputs`.
class Hdf5SweepStore : public sim::SweepStore {
public:
  Hdf5SweepStore(std::string dir, bool overwrite, InputFiles inputs);
  ~Hdf5SweepStore() override;
  void open() override;
  std::optional<sim::Attributes> read(const std::string& file) override;
  bool exists(const std::string& file) override;
  void check_replaceable(const std::string& file) override;
  std::unique_ptr<sim::SummarySink> point(const std::string& file) override;
  void index(const std::string& text) override;

private:
  std::string path(const std::string& file) const;
  std::string dir_;
  bool overwrite_;
  InputFiles inputs_;
  std::unique_ptr<OutputFile> index_;
};

}  // namespace yidi::io
