#include "bench/lode_bench/vocabulary.h"

#include <cmath>
#include <initializer_list>

namespace lode::bench {
namespace {

constexpr size_t kSlots = 4096;

WordList MakeList(std::initializer_list<std::string_view> words, double exponent = 1.0) {
  WordList list;
  list.words.assign(words.begin(), words.end());
  list.table = WeightedTable::Zipf(list.words.size(), exponent);
  return list;
}

WordList MakeWeighted(std::initializer_list<std::string_view> words,
                      std::initializer_list<double> weights) {
  WordList list;
  list.words.assign(words.begin(), words.end());
  list.table = WeightedTable(std::vector<double>(weights));
  return list;
}

}  // namespace

WeightedTable::WeightedTable(const std::vector<double>& weights) : slots_(kSlots, 0) {
  double total = 0;
  for (double w : weights) total += w;
  // Slot j takes the item whose cumulative range contains the slot's centre.
  size_t item = 0;
  double cumulative = weights.empty() ? 0 : weights[0];
  for (size_t j = 0; j < kSlots; ++j) {
    double point = (static_cast<double>(j) + 0.5) / kSlots * total;
    while (point >= cumulative && item + 1 < weights.size()) cumulative += weights[++item];
    slots_[j] = static_cast<uint16_t>(item);
  }
}

WeightedTable WeightedTable::Zipf(size_t n, double exponent) {
  std::vector<double> weights(n);
  for (size_t i = 0; i < n; ++i) weights[i] = 1.0 / std::pow(static_cast<double>(i + 1), exponent);
  return WeightedTable(weights);
}

const Vocabulary& Vocabulary::Get() {
  static const Vocabulary vocabulary;
  return vocabulary;
}

Vocabulary::Vocabulary() {
  http_methods = MakeWeighted({"GET", "POST", "PUT", "DELETE", "PATCH"}, {62, 22, 8, 5, 3});
  api_paths = MakeList({"/api/v1/users/#",
                        "/api/v1/products",
                        "/api/v1/orders/#",
                        "/api/v1/cart",
                        "/api/v2/search",
                        "/api/v1/products/#",
                        "/api/v1/orders",
                        "/healthz",
                        "/api/v1/sessions",
                        "/api/v1/payments/#",
                        "/api/v1/users/#/preferences",
                        "/api/v2/recommendations",
                        "/api/v1/inventory/#",
                        "/api/v1/auth/token",
                        "/api/v1/orders/#/items",
                        "/api/v1/shipping/quotes",
                        "/api/v1/payments/#/refunds",
                        "/api/v1/reviews/#",
                        "/api/v1/coupons",
                        "/api/v1/users/#/addresses",
                        "/api/v2/catalog/categories",
                        "/api/v1/notifications",
                        "/api/v1/wishlist/#",
                        "/api/v1/export/#"},
                       0.9);
  // Users: a few hundred accounts, a handful of them very active.
  static constexpr std::string_view kNames[] = {
      "alice", "bob",    "carol",   "dave",   "erin",   "frank", "grace",  "heidi",
      "ivan",  "judy",   "mallory", "niaj",   "olivia", "peggy", "rupert", "sybil",
      "trent", "victor", "walter",  "xavier", "yvonne", "zoe",   "amir",   "bea",
      "chen",  "dmitri", "elif",    "fatima", "goran",  "hana",  "ines",   "jonas"};
  for (size_t i = 0; i < 320; ++i) {
    std::string name(kNames[i % std::size(kNames)]);
    if (i >= std::size(kNames)) name += std::to_string(i / std::size(kNames) * 7 + 3);
    if (i % 29 == 5) name = "svc-" + name;
    users.words.push_back(owned_.emplace_back(std::move(name)));
  }
  users.table = WeightedTable::Zipf(users.words.size(), 1.05);
  api_messages_ok = MakeList({"request completed", "request completed (cache hit)",
                              "request completed (cache miss)", "served from replica"});
  api_messages_client_error =
      MakeList({"invalid request body", "authentication required", "permission denied",
                "resource not found", "rate limit exceeded", "validation failed"});
  api_messages_server_error =
      MakeList({"upstream request timeout", "database connection refused", "internal server error",
                "circuit breaker open", "context deadline exceeded"});

  queues = MakeList({"emails", "thumbnails", "billing-sync", "search-index", "webhooks", "exports",
                     "notifications", "audit-log"});
  worker_messages[0] = MakeList({"polling queue", "prefetched jobs", "heartbeat sent",
                                 "lease acquired", "checkpoint written"});
  worker_messages[1] = MakeList(
      {"job completed", "job started", "batch processed", "lease renewed", "job acknowledged"});
  worker_messages[2] = MakeList({"job retry scheduled", "slow job", "lease expiring soon",
                                 "queue depth above threshold", "payload truncated"});
  worker_messages[3] = MakeList({"job failed", "max retries exceeded", "deserialization error",
                                 "dead-lettered message", "handler panicked"});

  nginx_paths = MakeList(
      {"/", "/static/js/app.3f9a1c.js", "/static/css/main.8b2e.css", "/api/v1/products",
       "/favicon.ico", "/images/logo.svg", "/api/v1/cart", "/login", "/static/js/vendor.41d0.js",
       "/api/v2/search?q=shoes", "/checkout", "/robots.txt", "/api/v1/orders", "/account/settings",
       "/sitemap.xml", "/static/fonts/inter.woff2", "/api/v1/auth/token", "/wp-login.php"},
      1.0);
  user_agents = MakeList(
      {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/124.0.0.0 Safari/537.36",
       "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
       "like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
       "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
       "Gecko) Version/17.3 Safari/605.1.15",
       "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
       "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/124.0.0.0 Mobile Safari/537.36",
       "curl/8.5.0", "kube-probe/1.29", "Prometheus/2.51.0",
       "Googlebot/2.1 (+http://www.google.com/bot.html)", "python-requests/2.31.0"});
  referrers = MakeList({"-", "https://shop.example.com/", "https://www.google.com/",
                        "https://shop.example.com/cart", "https://t.co/xyz"});

  syslog_lines[0] = MakeList({"systemd[1]: session-#.scope: Succeeded.",
                              "dhclient[#]: DHCPREQUEST on eth0 to 10.0.0.1 port 67",
                              "kernel: [#.482913] audit: type=1400 apparmor=\"ALLOWED\""});
  syslog_lines[1] =
      MakeList({"systemd[1]: Started Session # of user deploy.",
                "sshd[#]: Accepted publickey for deploy from 10.0.4.17 port # ssh2",
                "CRON[#]: (root) CMD (run-parts --report /etc/cron.hourly)",
                "kubelet[#]: I0501 pod_workers.go:1298] \"Pod sync finished\" pod=\"shop/api-#\"",
                "dockerd[#]: time=\"now\" level=info msg=\"ignoring event\" topic=/tasks/delete",
                "systemd-logind[#]: New session # of user deploy.",
                "kernel: [#.104455] eth0: renamed from veth3a9f1c2"});
  syslog_lines[2] = MakeList({"kernel: [#.918273] TCP: request_sock_TCP: Possible SYN flooding",
                              "sshd[#]: Invalid user admin from 203.0.113.9 port #",
                              "kubelet[#]: W0501 eviction_manager.go:346] memory pressure",
                              "systemd[1]: Failed to start Daily apt upgrade (exit #)."});
  syslog_lines[3] = MakeList({"kernel: [#.551020] Out of memory: Killed process # (java)",
                              "kernel: [#.000001] EXT4-fs error (device sda1): bad block #",
                              "sshd[#]: error: maximum authentication attempts exceeded",
                              "kubelet[#]: E0501 kuberuntime_manager.go:1256] CrashLoopBackOff"});

  sql_statements = MakeList(
      {"SELECT id, email, created_at FROM users WHERE id = $1",
       "SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20",
       "UPDATE inventory SET quantity = quantity - $1 WHERE sku = $2",
       "INSERT INTO order_items (order_id, sku, quantity, price) VALUES ($1, $2, $3, $4)",
       "SELECT count(*) FROM sessions WHERE expires_at > now()",
       "DELETE FROM carts WHERE updated_at < now() - interval '30 days'",
       "SELECT p.id, p.name, p.price FROM products p JOIN categories c ON c.id = p.category_id "
       "WHERE c.slug = $1"});
  pg_errors = MakeList({"duplicate key value violates unique constraint \"users_email_key\"",
                        "deadlock detected", "canceling statement due to statement timeout",
                        "could not serialize access due to concurrent update",
                        "relation \"order_archive\" does not exist"});
  pg_notices =
      MakeList({"checkpoint starting: time", "automatic vacuum of table \"shop.public.sessions\"",
                "connection received: host=10.0.3.21 port=51844",
                "connection authorized: user=app database=shop",
                "disconnection: session time: 0:00:01.204 user=app database=shop"});

  java_threads = MakeList({"http-nio-8080-exec-1", "http-nio-8080-exec-7", "http-nio-8080-exec-3",
                           "pool-2-thread-1", "scheduling-1", "kafka-consumer-0", "main"});
  java_loggers =
      MakeList({"c.e.billing.InvoiceService", "c.e.billing.PaymentProcessor",
                "c.e.billing.api.BillingController", "o.h.engine.jdbc.spi.SqlExceptionHelper",
                "c.e.billing.ledger.LedgerWriter", "o.s.web.servlet.DispatcherServlet"});
  java_messages[0] = MakeList({"Cache lookup for customer #", "Loaded tax rules for region #",
                               "Ledger cursor at offset #"});
  java_messages[1] =
      MakeList({"Created invoice # for customer #", "Payment # captured",
                "Completed initialization in # ms", "Refund # issued", "Exported # invoices"});
  java_messages[2] = MakeList({"Retrying payment # after gateway timeout",
                               "Invoice # has no line items", "Slow query took # ms"});
  java_messages[3] = MakeList({"Payment failed for order #", "Could not write ledger entry #",
                               "Unhandled exception in request #"});
  java_exceptions =
      MakeList({"java.lang.IllegalStateException: Payment gateway returned 502",
                "java.net.SocketTimeoutException: Read timed out",
                "org.postgresql.util.PSQLException: deadlock detected",
                "java.lang.NullPointerException: Cannot invoke \"Customer.getId()\""});
  java_frames = MakeList(
      {"com.example.billing.PaymentProcessor.charge(PaymentProcessor.java:142)",
       "com.example.billing.InvoiceService.finalize(InvoiceService.java:88)",
       "com.example.billing.api.BillingController.pay(BillingController.java:57)",
       "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:883)",
       "jakarta.servlet.http.HttpServlet.service(HttpServlet.java:658)",
       "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:"
       "166)",
       "java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:"
       "1136)",
       "java.base/java.lang.Thread.run(Thread.java:840)"},
      0.3);
}

}  // namespace lode::bench
