#include "directory/codec.hpp"

namespace orgcast::directory {

ContactView ContactRecord::view() const {
  ContactView v{id, name, name_hi, mobile, whatsapp, language, unit_id, role, {}, app_token};
  v.tags.assign(tags.begin(), tags.end());
  return v;
}

ContactRecord to_record(const ContactView& v) {
  ContactRecord out{std::string(v.id),       std::string(v.name),    std::string(v.name_hi), v.mobile, v.whatsapp,
                    std::string(v.language), std::string(v.unit_id), std::string(v.role),    {},       std::string(v.app_token)};
  out.tags.assign(v.tags.begin(), v.tags.end());
  return out;
}

namespace codec {
namespace {

constexpr char kFormat = 1;

void put_varint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out += s;
}

}  // namespace

void ChunkWriter::reset() {
  body_.clear();
  count_ = 0;
}

void ChunkWriter::append(const UnitView& unit) {
  put_string(body_, unit.id);
  put_string(body_, unit.parent_id);
  put_string(body_, unit.level);
  put_string(body_, unit.name);
  put_string(body_, unit.name_hi);
  ++count_;
}

void ChunkWriter::append(const ContactView& c) {
  put_string(body_, c.id);
  put_string(body_, c.name);
  put_string(body_, c.name_hi);
  put_varint(body_, c.mobile);
  put_varint(body_, c.whatsapp);
  put_string(body_, c.language);
  put_string(body_, c.unit_id);
  put_string(body_, c.role);
  put_varint(body_, c.tags.size());
  for (auto tag : c.tags) put_string(body_, tag);
  put_string(body_, c.app_token);
  ++count_;
}

std::string ChunkWriter::take() {
  std::string out;
  out.reserve(body_.size() + 6);
  out += kFormat;
  put_varint(out, count_);
  out += body_;
  reset();
  return out;
}

ChunkReader::ChunkReader(std::string_view bytes) : data_(bytes) {
  std::uint64_t count = 0;
  if (data_.empty() || data_[0] != kFormat) {
    ok_ = false;
    return;
  }
  pos_ = 1;
  ok_ = read_varint(count);
  count_ = count;
}

bool ChunkReader::read_varint(std::uint64_t& out) {
  out = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) return ok_ = false;
    auto byte = static_cast<unsigned char>(data_[pos_++]);
    out |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if (!(byte & 0x80)) return true;
  }
  return ok_ = false;
}

bool ChunkReader::read_string(std::string_view& out) {
  std::uint64_t length = 0;
  if (!read_varint(length)) return false;
  if (length > data_.size() - pos_) return ok_ = false;
  out = data_.substr(pos_, length);
  pos_ += length;
  return true;
}

bool ChunkReader::next(UnitView& u) {
  if (!ok_ || read_ >= count_) return false;
  if (!(read_string(u.id) && read_string(u.parent_id) && read_string(u.level) && read_string(u.name) &&
        read_string(u.name_hi)))
    return false;
  ++read_;
  return true;
}

bool ChunkReader::next(ContactView& c) {
  if (!ok_ || read_ >= count_) return false;
  std::uint64_t tag_count = 0;
  if (!(read_string(c.id) && read_string(c.name) && read_string(c.name_hi) && read_varint(c.mobile) &&
        read_varint(c.whatsapp) && read_string(c.language) && read_string(c.unit_id) && read_string(c.role) &&
        read_varint(tag_count)))
    return false;
  if (tag_count > 64) return ok_ = false;
  c.tags.resize(tag_count);
  for (auto& tag : c.tags)
    if (!read_string(tag)) return false;
  if (!read_string(c.app_token)) return false;
  ++read_;
  return true;
}

std::string encode_contact(const ContactView& contact) {
  ChunkWriter writer;
  writer.append(contact);
  return writer.take();
}

}  // namespace codec
}  // namespace orgcast::directory
