#include "support/fake_provider.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <boost/json.hpp>

namespace orgcast::testing {

ServiceAccount make_service_account(const std::string& token_uri) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  auto pem = [](auto write) {
    BIO* bio = BIO_new(BIO_s_mem());
    write(bio);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(length));
    BIO_free(bio);
    return out;
  };
  ServiceAccount account;
  const auto private_pem = pem([&](BIO* b) { PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
  account.public_key_pem = pem([&](BIO* b) { PEM_write_bio_PUBKEY(b, key); });
  EVP_PKEY_free(key);
  account.json = boost::json::serialize(boost::json::object{{"type", "service_account"},
                                                            {"project_id", "orgcast-test"},
                                                            {"private_key_id", "k1"},
                                                            {"private_key", private_pem},
                                                            {"client_email", "orgcast@orgcast-test.iam.gserviceaccount.com"},
                                                            {"token_uri", token_uri}});
  return account;
}

}  // namespace orgcast::testing
