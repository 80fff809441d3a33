package org.switchboard.server.lists;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.annotation.PreDestroy;
import javax.inject.Provider;
import javax.mail.MessagingException;
import javax.mail.internet.AddressException;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.Startable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.mailets.lists.OneClickLinks;
import org.switchboard.mailets.lists.OneClickUnsubscribe;
import org.switchboard.server.directory.PemKeyStore;
import org.switchboard.server.directory.RandomPassword;
import org.switchboard.server.tls.SelfSignedCertificateBootstrap;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * The HTTPS endpoint of one-click unsubscribe links (RFC 8058): {@code POST /lists/unsubscribe?list=&member=&token=}
 * with the body {@code List-Unsubscribe=One-Click} unsubscribes the member (200; a wrong token: 403, nothing
 * changes). A GET never unsubscribes (link scanners follow links): it answers a page whose button POSTs. Requests
 * are small (bodies up to {@link #MAX_BODY} octets) and must arrive within {@link #MAX_REQUEST_SECONDS} seconds.
 * TLS uses the server's key pair ({@code conf/tls}).
 */
class OneClickEndpoint implements Startable {
    static final int MAX_BODY = 1024;
    static final int MAX_REQUEST_SECONDS = 10;
    private static final Logger LOGGER = LoggerFactory.getLogger(OneClickEndpoint.class);
    private static final String FORM = "application/x-www-form-urlencoded";

    private final OneClickSettings settings;
    private final Path confDirectory;
    private final Provider<OneClickUnsubscribe> unsubscribe;
    private HttpsServer server;
    private ExecutorService executor;

    /** {@code confDirectory}: where the TLS key pair is ({@code tls/private.key}, {@code tls/certificate.pem}). */
    OneClickEndpoint(OneClickSettings settings, Path confDirectory, Provider<OneClickUnsubscribe> unsubscribe) {
        this.settings = settings;
        this.confDirectory = confDirectory;
        this.unsubscribe = unsubscribe;
    }

    synchronized void start() throws IOException, GeneralSecurityException {
        if (server != null || settings.port().isEmpty()) {
            return;
        }
        // the JDK server reads its time limits once, from system properties (nothing else here uses it); an
        // administrator's -D setting wins
        for (String limit : List.of("sun.net.httpserver.maxReqTime", "sun.net.httpserver.maxRspTime")) {
            if (System.getProperty(limit) == null) {
                System.setProperty(limit, String.valueOf(MAX_REQUEST_SECONDS));
            }
        }
        char[] password = RandomPassword.generate().toCharArray();
        KeyStore keyStore = PemKeyStore.load(confDirectory.resolve(SelfSignedCertificateBootstrap.PRIVATE_KEY),
            confDirectory.resolve(SelfSignedCertificateBootstrap.CERTIFICATE), password);
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, password);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(settings.bind(), settings.port().get()), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext(OneClickLinks.PATH, this::handle);
        executor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "list-one-click");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
        LOGGER.info("Lists: one-click unsubscription on https://{}:{}{} (links name https://{}{})", settings.bind(),
            settings.port().get(), OneClickLinks.PATH, settings.authority(), OneClickLinks.PATH);
    }

    @PreDestroy
    public synchronized void stop() {
        if (server != null) {
            server.stop(1);
            executor.shutdown();
            server = null;
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            if (!exchange.getRequestURI().getPath().equals(OneClickLinks.PATH)) {
                answer(exchange, 404, "Not found.");
                return;
            }
            Optional<Request> request = Request.of(exchange.getRequestURI().getRawQuery());
            switch (exchange.getRequestMethod()) {
                case "GET" -> {
                    if (request.isEmpty()) {
                        answer(exchange, 400, "This link is incomplete.");
                    } else {
                        confirmationPage(exchange, request.get());
                    }
                }
                case "POST" -> post(exchange, request);
                default -> {
                    exchange.getResponseHeaders().set("Allow", "GET, POST");
                    answer(exchange, 405, "Use GET or POST.");
                }
            }
        } catch (RuntimeException e) {
            LOGGER.error("Lists: one-click request failed", e);
        } finally {
            exchange.close();
        }
    }

    private void post(HttpExchange exchange, Optional<Request> request) throws IOException {
        Optional<byte[]> body = body(exchange.getRequestBody());
        if (body.isEmpty()) {
            answer(exchange, 413, "The request is too large.");
            return;
        }
        if (request.isEmpty() || !isOneClick(exchange.getRequestHeaders().getFirst("Content-Type"), body.get())) {
            answer(exchange, 400, "Expected a POST of List-Unsubscribe=One-Click to a complete link.");
            return;
        }
        Request unsubscription = request.get();
        try {
            switch (unsubscribe.get().unsubscribe(unsubscription.list(), unsubscription.member(),
                unsubscription.token())) {
                case UNSUBSCRIBED -> answer(exchange, 200, unsubscription.member().asString()
                    + " is no longer a member of " + unsubscription.list().asString() + ".");
                case NOT_A_MEMBER -> answer(exchange, 200, unsubscription.member().asString() + " is not a member of "
                    + unsubscription.list().asString() + ".");
                case FORBIDDEN -> answer(exchange, 403, "This unsubscribe link is not valid.");
            }
        } catch (DirectoryUnavailableException e) {
            LOGGER.warn("Lists: one-click unsubscription waits for the directory: {}", e.getMessage());
            answer(exchange, 503, "Please try again later.");
        } catch (MessagingException e) {
            LOGGER.error("Lists: {} left {}, but the goodbye notice was not sent", unsubscription.member().asString(),
                unsubscription.list().asString(), e);
            answer(exchange, 200, unsubscription.member().asString() + " is no longer a member of "
                + unsubscription.list().asString() + ".");
        }
    }

    /** RFC 8058 §3.1: the body names the key List-Unsubscribe with the value One-Click, in either form encoding. */
    private static boolean isOneClick(String contentType, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        String type = contentType == null ? FORM : contentType.toLowerCase(Locale.ROOT);
        if (type.startsWith("multipart/form-data")) {
            return text.contains("name=\"List-Unsubscribe\"") && text.contains("One-Click");
        }
        return type.startsWith(FORM) && Request.fields(text.trim()).getOrDefault("List-Unsubscribe", "")
            .equals("One-Click");
    }

    /** The body, when it is at most {@link #MAX_BODY} octets. */
    private static Optional<byte[]> body(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        return body.length > MAX_BODY ? Optional.empty() : Optional.of(body);
    }

    private static void confirmationPage(HttpExchange exchange, Request request) throws IOException {
        // an empty action posts to this same URL
        String page = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Unsubscribe</title></head><body>\n"
            + "<p>Unsubscribe " + html(request.member().asString()) + " from the list "
            + html(request.list().asString()) + "?</p>\n<form method=\"post\" action=\"\">"
            + "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
            + "<button type=\"submit\">Unsubscribe</button></form>\n</body></html>\n";
        send(exchange, 200, "text/html; charset=utf-8", page);
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", text + "\n");
    }

    private static void send(HttpExchange exchange, int status, String contentType, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String html(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** A link's query: the list, the member, the token. */
    record Request(MailAddress list, MailAddress member, String token) {
        /** Empty when a field is missing or not an address. */
        static Optional<Request> of(String rawQuery) {
            Map<String, String> fields = fields(rawQuery == null ? "" : rawQuery);
            String token = fields.get("token");
            try {
                if (fields.get("list") == null || fields.get("member") == null || token == null) {
                    return Optional.empty();
                }
                return Optional.of(new Request(new MailAddress(fields.get("list")), new MailAddress(fields.get("member")),
                    token));
            } catch (AddressException e) {
                return Optional.empty();
            }
        }

        /** The fields of an application/x-www-form-urlencoded text; a field given twice keeps its first value. */
        static Map<String, String> fields(String encoded) {
            Map<String, String> fields = new HashMap<>();
            for (String pair : encoded.split("&")) {
                int equals = pair.indexOf('=');
                if (equals > 0) {
                    try {
                        fields.putIfAbsent(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException e) {
                        // a malformed escape: not a field of ours
                    }
                }
            }
            return fields;
        }
    }
}
