package org.switchboard.server.directory.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import javax.mail.internet.AddressException;

import org.apache.directory.api.ldap.model.name.Dn;
import org.apache.directory.server.core.partition.impl.btree.AbstractBTreePartition;
import org.apache.james.core.MailAddress;
import org.switchboard.directory.routing.DirectoryEntry;
import org.switchboard.directory.routing.LdapDirectoryRouting;
import org.switchboard.directory.routing.OtherMailbox;
import org.switchboard.directory.routing.RoutingSettings;
import org.switchboard.directory.routing.RoutingStatistics;
import org.switchboard.server.directory.DirectoryConfiguration;
import org.switchboard.server.directory.EmbeddedDirectoryServer;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.SingleServerSet;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;

/**
 * Measurements of {@code bench/directory} (read that script's header): the embedded ApacheDS (started here, in this
 * JVM, as in the server) and an OpenLDAP slapd the script started, both loaded with the same entries.
 *
 * <ol>
 *   <li>LDAP equality searches by mail per second, several client threads, one connection each (UnboundID), on
 *       both servers, and the ratio;</li>
 *   <li>lookups per second through {@link LdapDirectoryRouting}: cold (every lookup a directory read: each address
 *       once, the entries' mails then their aliases) and warm (the same addresses again, from the cache), the alias
 *       table build time and, on ApacheDS, how long a modification takes to reach the next lookup through the
 *       persistent search.</li>
 * </ol>
 * Writes one JSON document to {@code --output}; logs go to stderr.
 */
public final class DirectoryBench {
    static final String SUFFIX = "dc=example,dc=com";
    static final String DOMAIN = "example.com";
    static final int WRITE_SAMPLE = 200;
    /** Names the data set of {@link #entry(int)}: change it with the entries (bench/directory keys its cache on it). */
    static final String DATA_VERSION = "1";
    static final String[] ROUTING_ATTRIBUTES = {"objectClass", "mail", "otherMailbox", "x-permission", "ieMailAlias",
        "ieAccountDisabled"};

    private final Map<String, String> options;
    private final int entries;
    private final int threads;
    private final Duration measure;
    private final Duration warmup;
    private final int aliasEvery;
    private final int notificationSamples;

    private DirectoryBench(Map<String, String> options) {
        this.options = options;
        this.entries = Integer.parseInt(options.getOrDefault("entries", "10000"));
        this.threads = Integer.parseInt(options.getOrDefault("threads", "4"));
        this.measure = Duration.ofSeconds(Long.parseLong(options.getOrDefault("seconds", "10")));
        this.warmup = Duration.ofSeconds(Long.parseLong(options.getOrDefault("warmup-seconds", "5")));
        this.aliasEvery = Integer.parseInt(options.getOrDefault("alias-every", "2"));
        this.notificationSamples = Integer.parseInt(options.getOrDefault("notification-samples", "20"));
        if (entries < 1 || threads < 1 || aliasEvery < 1 || measure.isZero()) {
            throw new IllegalArgumentException("entries, threads, alias-every and seconds must be positive");
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: --work-dir DIR --output FILE [--entries N] [--threads T]"
                    + " [--seconds S] [--warmup-seconds W] [--alias-every K] [--notification-samples K]"
                    + " [--openldap-url URL --openldap-bind-dn DN --openldap-version V] (password: $BENCH_OPENLDAP_PASSWORD)"
                    + " [--openldap-error TEXT] [--openldap-load-entries-per-s R] [--apacheds-cache DIR] | --write-ldif FILE --entries N");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        DirectoryBench bench = new DirectoryBench(options);
        if (options.containsKey("write-ldif")) {
            bench.writeLdif(Path.of(options.get("write-ldif")));
            return;
        }
        Map<String, Object> out = bench.run();
        String json = Json.write(out);
        Files.writeString(Path.of(options.get("output")), json + "\n", StandardCharsets.UTF_8);
        System.exit(out.containsKey("error") ? 1 : 0); // ApacheDS and pools leave non-daemon threads
    }

    static void log(String format, Object... args) {
        System.err.printf("[directory-bench %tT] %s%n", System.currentTimeMillis(), String.format(Locale.ROOT,
            format, args));
    }

    // ------------------------------------------------------------------------------------------------------ data

    static String mail(int i) {
        return String.format(Locale.ROOT, "user%06d@%s", i, DOMAIN);
    }

    static String alias(int i) {
        return String.format(Locale.ROOT, "alias%06d@mail.%s", i, DOMAIN);
    }

    boolean hasAlias(int i) {
        return i % aliasEvery == 0;
    }

    Entry entry(int i) {
        Entry entry = new Entry("mail=" + mail(i) + "," + SUFFIX);
        entry.addAttribute("objectClass", "top", "ieperson");
        entry.addAttribute("mail", mail(i));
        entry.addAttribute("cn", "User " + i);
        entry.addAttribute("sn", Integer.toString(i));
        entry.addAttribute("otherMailbox", "LOCAL$" + mail(i));
        if (i % 10 == 0) {
            entry.addAttribute("otherMailbox", "SMTPC$" + mail(i).replace("@" + DOMAIN, "@otherisp.net"));
        }
        if (i % 5 == 0) {
            entry.addAttribute("x-permission", "SMTPC$Send/Receive");
        }
        if (hasAlias(i)) {
            entry.addAttribute("ieMailAlias", alias(i));
        }
        return entry;
    }

    /** The entries as LDIF, for {@code ldapadd} into the OpenLDAP peer: the same ones ApacheDS gets. */
    void writeLdif(Path file) throws IOException {
        StringBuilder ldif = new StringBuilder("version: 1\n\n");
        for (int i = 0; i < entries; i++) {
            ldif.append(entry(i).toLDIFString()).append('\n');
        }
        Files.writeString(file, ldif.toString(), StandardCharsets.UTF_8);
    }

    // -------------------------------------------------------------------------------------------------- the run

    Map<String, Object> run() throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bench", "directory");
        out.put("entries", entries);
        out.put("aliases", (entries + aliasEvery - 1) / aliasEvery);
        out.put("client_threads", threads);
        out.put("measure_seconds", measure.toSeconds());
        out.put("warmup_seconds", warmup.toSeconds());
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("loadavg_1m_at_start", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2));
        out.put("machine", machine);
        out.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ", max heap "
            + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB");

        Path workDir = Path.of(options.get("work-dir"));
        EmbeddedDirectoryServer apacheds = null;
        try {
            Map<String, Object> adsOut = new LinkedHashMap<>();
            out.put("apacheds", adsOut);
            apacheds = apacheDsWithEntries(workDir, adsOut);
            String password = Files.readString(apacheds.adminPasswordFile()).strip();
            Server ads = new Server("apacheds", apacheds.ldapUrl(), EmbeddedDirectoryServer.ADMIN_DN, password);
            adsOut.put("server", "ApacheDS 2.0.0.AM27 embedded in this JVM, as in the server (JDBM partition, sync"
                + " on write, indexes on mail and ieMailAlias), " + ads.url);
            ads.check(entries);

            Server openldap = null;
            Map<String, Object> oldOut = new LinkedHashMap<>();
            if (options.containsKey("openldap-url")) {
                openldap = new Server("openldap", options.get("openldap-url"), options.get("openldap-bind-dn"),
                    System.getenv("BENCH_OPENLDAP_PASSWORD"));
                oldOut.put("server", "OpenLDAP slapd " + options.getOrDefault("openldap-version", "?")
                    + " (own instance: back-mdb, indexes on objectClass, mail and ieMailAlias, fsync on), "
                    + openldap.url);
                if (options.containsKey("openldap-load-entries-per-s")) {
                    oldOut.put("bulk_load_entries_per_s", Double.parseDouble(options.get("openldap-load-entries-per-s")));
                }
                out.put("openldap", oldOut);
                openldap.check(entries);
            } else {
                out.put("openldap", null);
                out.put("openldap_error", options.getOrDefault("openldap-error", "no --openldap-url"));
            }

            // every entry read once on each server (caches, JIT), as a server that has been running would be
            adsOut.put("prime_seconds", prime(ads));
            if (openldap != null) {
                oldOut.put("prime_seconds", prime(openldap));
            }

            adsOut.put("ldap_search", searchBench(ads));
            if (openldap != null) {
                oldOut.put("ldap_search", searchBench(openldap));
                out.put("ratio_ldap_search_apacheds_over_openldap", ratio(adsOut, oldOut, "ldap_search",
                    "searches_per_s"));
            }

            adsOut.put("routing", routingBench(ads, true));
            if (openldap != null) {
                oldOut.put("routing", routingBench(openldap, false));
                out.put("ratio_routing_cold_apacheds_over_openldap", ratio(adsOut, oldOut, "routing",
                    "cold_lookups_per_s"));
            }

            // last, so that the searches ran on exactly the same entries
            adsOut.put("add_entries_per_s", writeSample(ads));
            if (openldap != null) {
                oldOut.put("add_entries_per_s", writeSample(openldap));
                Object a = adsOut.get("add_entries_per_s");
                Object b = oldOut.get("add_entries_per_s");
                out.put("ratio_add_apacheds_over_openldap", a instanceof Number x && b instanceof Number y
                    && y.doubleValue() > 0 ? round(x.doubleValue() / y.doubleValue(), 3) : null);
            }
        } catch (Exception e) {
            log("FAILED: %s", e);
            e.printStackTrace();
            out.put("error", e.toString());
        } finally {
            if (apacheds != null) {
                apacheds.stop();
            }
        }
        return out;
    }

    /**
     * The embedded ApacheDS holding the entries. ApacheDS adds take tens of milliseconds each (JDBM syncs a
     * transaction log per index on every commit), so a loaded instance is kept in {@code --apacheds-cache} and
     * copied for later runs with the same data; the first run loads it (with the partition's sync-on-write off).
     */
    private EmbeddedDirectoryServer apacheDsWithEntries(Path workDir, Map<String, Object> adsOut) throws Exception {
        Path cache = options.containsKey("apacheds-cache") ? Path.of(options.get("apacheds-cache")) : null;
        Path ready = cache == null ? null : cache.resolve("complete");
        if (cache != null && Files.exists(ready)) {
            log("apacheds: reusing the instance loaded with the same entries in %s", cache);
            copyTree(cache.resolve("var"), workDir.resolve("var"));
            adsOut.put("instance", "copied from " + cache + " (loaded by an earlier run: "
                + Files.readString(ready).strip() + ")");
            return startApacheDs(workDir);
        }
        Path loadRoot = cache == null ? workDir : cache;
        if (cache != null) {
            deleteTree(cache);
        }
        EmbeddedDirectoryServer server = startApacheDs(loadRoot);
        String loaded;
        try {
            Server ads = new Server("apacheds", server.ldapUrl(), EmbeddedDirectoryServer.ADMIN_DN,
                Files.readString(server.adminPasswordFile()).strip());
            AbstractBTreePartition partition = (AbstractBTreePartition) server.directoryService().getPartitionNexus()
                .getPartition(new Dn(server.directoryService().getSchemaManager(), SUFFIX));
            AtomicBoolean syncOnWrite = syncOnWrite(partition);
            syncOnWrite.set(false);
            Double rate;
            try {
                rate = load(ads, 0, entries, 8);
            } finally {
                syncOnWrite.set(true);
            }
            loaded = entries + " entries at " + rate + " entries/s, partition sync on write off";
            adsOut.put("bulk_load_entries_per_s", rate);
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        if (cache == null) {
            adsOut.put("instance", "loaded now: " + loaded);
            return server;
        }
        server.stop();
        Files.writeString(ready, loaded + "\n");
        copyTree(cache.resolve("var"), workDir.resolve("var"));
        adsOut.put("instance", "loaded now, kept in " + cache + ": " + loaded);
        return startApacheDs(workDir);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** {@value #WRITE_SAMPLE} adds of new entries over {@code threads} connections, as each server runs. */
    private Double writeSample(Server server) throws Exception {
        log("%s: %d adds (as configured: ApacheDS syncs, slapd fsyncs)", server.name, WRITE_SAMPLE);
        return load(server, entries, entries + WRITE_SAMPLE, threads);
    }

    @SuppressWarnings("unchecked")
    private static Double ratio(Map<String, Object> a, Map<String, Object> b, String section, String key) {
        Object x = ((Map<String, Object>) a.get(section)).get(key);
        Object y = ((Map<String, Object>) b.get(section)).get(key);
        if (x instanceof Number nx && y instanceof Number ny && ny.doubleValue() > 0) {
            return round(nx.doubleValue() / ny.doubleValue(), 3);
        }
        return null;
    }

    /**
     * The running partition's sync-on-write flag: its setter refuses once the partition is initialized, and the
     * embedded server always writes through. Bench-only shortcut, for loading.
     */
    private static AtomicBoolean syncOnWrite(AbstractBTreePartition partition) throws ReflectiveOperationException {
        Field field = AbstractBTreePartition.class.getDeclaredField("isSyncOnWrite");
        field.setAccessible(true);
        return (AtomicBoolean) field.get(partition);
    }

    private EmbeddedDirectoryServer startApacheDs(Path workDir) throws IOException {
        Files.createDirectories(workDir);
        Path file = workDir.resolve("directory.xml");
        Files.writeString(file, "<directory><domain>" + DOMAIN + "</domain><bindAddress>127.0.0.1</bindAddress>"
            + "<ldapPort>" + freePort() + "</ldapPort><ldapsPort>0</ldapsPort><startTls>false</startTls>"
            + "</directory>\n", StandardCharsets.UTF_8);
        EmbeddedDirectoryServer server = new EmbeddedDirectoryServer(DirectoryConfiguration.load(file), workDir);
        long begin = System.nanoTime();
        server.start();
        log("ApacheDS started in %.1f s at %s", (System.nanoTime() - begin) / 1e9, server.ldapUrl());
        return server;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Adds entries [from, to) over LDAP with that many connections; entries/s. */
    private Double load(Server server, int from, int to, int loaders) throws Exception {
        if (to <= from) {
            return null;
        }
        log("%s: adding entries %d to %d", server.name, from, to - 1);
        AtomicInteger next = new AtomicInteger(from);
        long begin = System.nanoTime();
        inParallel(loaders, thread -> () -> {
            try (LDAPConnection connection = server.connect()) {
                for (int i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
                    connection.add(entry(i));
                }
            }
            return null;
        });
        double seconds = (System.nanoTime() - begin) / 1e9;
        double rate = round((to - from) / seconds, 1);
        log("%s: added in %.1f s (%.0f entries/s)", server.name, seconds, rate);
        return rate;
    }

    /** Reads every entry once: a paged search of the suffix, then one equality search per entry; seconds. */
    private double prime(Server server) throws Exception {
        log("%s: reading every entry once", server.name);
        long begin = System.nanoTime();
        try (LDAPConnection connection = server.connect()) {
            ASN1OctetString cookie = null;
            do {
                SearchRequest request = new SearchRequest(SUFFIX, SearchScope.SUB,
                    Filter.createPresenceFilter("mail"), ROUTING_ATTRIBUTES);
                request.setControls(new SimplePagedResultsControl(500, cookie));
                SearchResult result = connection.search(request);
                SimplePagedResultsControl response = SimplePagedResultsControl.get(result);
                cookie = response == null || !response.moreResultsToReturn() ? null : response.getCookie();
            } while (cookie != null);
            for (int i = 0; i < entries; i++) {
                connection.search(new SearchRequest(SUFFIX, SearchScope.SUB, Filter.createEqualityFilter("mail",
                    mail(i)), ROUTING_ATTRIBUTES));
            }
        }
        return round((System.nanoTime() - begin) / 1e9, 1);
    }

    /** Equality searches by mail from {@code threads} connections, {@code measure} seconds after a warm-up. */
    private Map<String, Object> searchBench(Server server) throws Exception {
        log("%s: LDAP searches, %d threads, %d s warm-up + %d s", server.name, threads, warmup.toSeconds(),
            measure.toSeconds());
        List<LDAPConnection> connections = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                connections.add(server.connect());
            }
            timedSearches(connections, warmup, null);
            Recorder recorder = new Recorder();
            double seconds = timedSearches(connections, measure, recorder);
            Map<String, Object> result = recorder.summary(seconds, "searches");
            result.put("filter", "(mail=<random one of the " + entries + ">), subtree of " + SUFFIX
                + ", the routing attributes");
            log("%s: %s searches/s, p50 %s ms, p99 %s ms, errors %s", server.name, result.get("searches_per_s"),
                result.get("p50_ms"), result.get("p99_ms"), result.get("errors"));
            return result;
        } finally {
            connections.forEach(LDAPConnection::close);
        }
    }

    private double timedSearches(List<LDAPConnection> connections, Duration duration, Recorder recorder)
        throws Exception {
        long deadline = System.nanoTime() + duration.toNanos();
        long begin = System.nanoTime();
        inParallel(connections.size(), thread -> {
            LDAPConnection connection = connections.get(thread);
            return () -> {
                LongList latencies = new LongList();
                long errors = 0;
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (System.nanoTime() < deadline) {
                    SearchRequest request = new SearchRequest(SUFFIX, SearchScope.SUB,
                        Filter.createEqualityFilter("mail", mail(random.nextInt(entries))), ROUTING_ATTRIBUTES);
                    long start = System.nanoTime();
                    try {
                        SearchResult result = connection.search(request);
                        latencies.add(System.nanoTime() - start);
                        if (result.getEntryCount() != 1) {
                            errors++;
                        }
                    } catch (LDAPException e) {
                        errors++;
                    }
                }
                if (recorder != null) {
                    recorder.add(latencies, errors);
                }
                return null;
            };
        });
        return (System.nanoTime() - begin) / 1e9;
    }

    // -------------------------------------------------------------------------------------------------- routing

    private Map<String, Object> routingBench(Server server, boolean notifications) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        int aliases = (entries + aliasEvery - 1) / aliasEvery;
        // staleness long enough that nothing expires during the run: warm means every answer is cached
        RoutingSettings settings = RoutingSettings.ofMaxStaleness(Duration.ofMinutes(10))
            .withCacheSize(2 * (entries + aliases));
        result.put("settings", "maxStaleness " + settings.maxStaleness() + ", negativeTtl " + settings.negativeTtl()
            + ", cacheSize " + settings.cacheSize() + ", pool of " + (threads + 1) + " connections");
        try (LDAPConnectionPool pool = server.pool(threads + 1);
             LdapDirectoryRouting routing = new LdapDirectoryRouting(pool, SUFFIX, settings)) {
            long begin = System.nanoTime();
            while (notifications && routing.statistics().changeTracking()
                != RoutingStatistics.ChangeTracking.PERSISTENT_SEARCH) {
                if (System.nanoTime() - begin > 10_000_000_000L) {
                    throw new IllegalStateException(server.name + ": the persistent search did not open");
                }
                Thread.sleep(20);
            }
            if (!notifications) {
                Thread.sleep(500); // let it find out that the server has no persistent search
            }
            result.put("change_tracking", routing.statistics().changeTracking().name());
            result.put("aliases_in_table", routing.statistics().aliases());

            List<String> mails = new ArrayList<>();
            List<String> aliasList = new ArrayList<>();
            for (int i = 0; i < entries; i++) {
                mails.add(mail(i));
                if (hasAlias(i)) {
                    aliasList.add(alias(i));
                }
            }
            Collections.shuffle(mails, new Random(1));
            Collections.shuffle(aliasList, new Random(2));

            log("%s routing: cold lookups of %d addresses, %d threads", server.name, mails.size(), threads);
            RoutingStatistics before = routing.statistics();
            Map<String, Object> cold = coldPass(routing, mails);
            RoutingStatistics after = routing.statistics();
            cold.put("directory_reads", after.directoryReads() - before.directoryReads());
            result.put("cold_lookups_per_s", cold.remove("lookups_per_s"));
            result.put("cold", cold);

            log("%s routing: cold lookups of %d aliases", server.name, aliasList.size());
            Map<String, Object> coldAliases = coldPass(routing, aliasList);
            result.put("cold_alias_lookups_per_s", coldAliases.remove("lookups_per_s"));
            result.put("cold_aliases", coldAliases);

            log("%s routing: warm lookups for %d s", server.name, measure.toSeconds());
            before = routing.statistics();
            Map<String, Object> warm = warmPass(routing, mails);
            after = routing.statistics();
            long lookups = after.lookups() - before.lookups();
            warm.put("cache_hit_ratio", lookups == 0 ? null
                : round((after.cacheHits() - before.cacheHits()) / (double) lookups, 4));
            warm.put("directory_reads", after.directoryReads() - before.directoryReads());
            result.put("warm_lookups_per_s", warm.remove("lookups_per_s"));
            result.put("warm", warm);

            List<Double> builds = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                long start = System.nanoTime();
                int count = routing.rebuildAliasTable();
                builds.add((System.nanoTime() - start) / 1e6);
                result.put("aliases_in_table", count);
            }
            Collections.sort(builds);
            result.put("alias_table_build_ms_median", round(builds.get(1), 1));

            if (notifications) {
                result.put("change_seen_after", notificationLatency(server, routing));
            }
            RoutingStatistics last = routing.statistics();
            Map<String, Object> statistics = new LinkedHashMap<>();
            statistics.put("lookups", last.lookups());
            statistics.put("cache_hits", last.cacheHits());
            statistics.put("directory_reads", last.directoryReads());
            statistics.put("directory_errors", last.directoryErrors());
            statistics.put("change_notifications", last.changeNotifications());
            statistics.put("invalidations", last.invalidations());
            result.put("statistics", statistics);
            log("%s routing: cold %s/s, cold aliases %s/s, warm %s/s, alias table %s ms", server.name,
                result.get("cold_lookups_per_s"), result.get("cold_alias_lookups_per_s"),
                result.get("warm_lookups_per_s"), result.get("alias_table_build_ms_median"));
        }
        return result;
    }

    /** Each address once, spread over the threads: every lookup is a directory read. */
    private Map<String, Object> coldPass(LdapDirectoryRouting routing, List<String> addresses) throws Exception {
        List<MailAddress> parsed = parse(addresses);
        AtomicInteger next = new AtomicInteger();
        AtomicLong missing = new AtomicLong();
        Recorder recorder = new Recorder();
        long begin = System.nanoTime();
        inParallel(threads, thread -> () -> {
            LongList latencies = new LongList();
            long errors = 0;
            for (int i = next.getAndIncrement(); i < parsed.size(); i = next.getAndIncrement()) {
                long start = System.nanoTime();
                try {
                    if (routing.lookup(parsed.get(i)).isEmpty()) {
                        missing.incrementAndGet();
                    }
                    latencies.add(System.nanoTime() - start);
                } catch (Exception e) {
                    errors++;
                }
            }
            recorder.add(latencies, errors);
            return null;
        });
        double seconds = (System.nanoTime() - begin) / 1e9;
        Map<String, Object> result = recorder.summary(seconds, "lookups");
        result.put("not_found", missing.get());
        return result;
    }

    /** Random addresses among those already looked up, for {@code measure} seconds after one second. */
    private Map<String, Object> warmPass(LdapDirectoryRouting routing, List<String> addresses) throws Exception {
        List<MailAddress> parsed = parse(addresses);
        Recorder recorder = new Recorder();
        long warmEnd = System.nanoTime() + 1_000_000_000L;
        long deadline = warmEnd + measure.toNanos();
        AtomicLong measuredStart = new AtomicLong();
        inParallel(threads, thread -> () -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long count = 0;
            long errors = 0;
            long blackhole = 0;
            while (System.nanoTime() < warmEnd) {
                blackhole += routing.lookup(parsed.get(random.nextInt(parsed.size()))).map(e -> 1).orElse(0);
            }
            measuredStart.compareAndSet(0, System.nanoTime());
            while (System.nanoTime() < deadline) {
                try {
                    blackhole += routing.lookup(parsed.get(random.nextInt(parsed.size()))).map(e -> 1)
                        .orElse(0);
                    count++;
                } catch (Exception e) {
                    errors++;
                }
            }
            recorder.addCount(count, errors, blackhole);
            return null;
        });
        double seconds = (System.nanoTime() - measuredStart.get()) / 1e9;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("lookups_per_s", round(recorder.count / seconds, 0));
        result.put("lookups", recorder.count);
        result.put("errors", recorder.errors);
        result.put("seconds", round(seconds, 2));
        return result;
    }

    /** Modifies othermailbox of cached entries and times until the next lookup shows the new route. */
    private Map<String, Object> notificationLatency(Server server, LdapDirectoryRouting routing) throws Exception {
        log("%s routing: %d modifications, time until a lookup sees each", server.name, notificationSamples);
        List<Double> millis = new ArrayList<>();
        int unseen = 0;
        Random random = new Random(3);
        try (LDAPConnection connection = server.connect()) {
            for (int k = 0; k < notificationSamples; k++) {
                int i = random.nextInt(entries);
                MailAddress address = new MailAddress(mail(i));
                routing.lookup(address); // cached
                OtherMailbox moved = new OtherMailbox("SMTPC", "moved" + k + "-" + i + "@otherisp.net");
                connection.modify("mail=" + mail(i) + "," + SUFFIX, new Modification(ModificationType.REPLACE,
                    "otherMailbox", "LOCAL$" + mail(i), moved.toString()));
                long start = System.nanoTime();
                boolean seen = false;
                while (System.nanoTime() - start < 5_000_000_000L) {
                    DirectoryEntry entry = routing.lookup(address).orElseThrow();
                    if (entry.routes().contains(moved)) {
                        seen = true;
                        break;
                    }
                    Thread.onSpinWait();
                }
                if (seen) {
                    millis.add((System.nanoTime() - start) / 1e6);
                } else {
                    unseen++;
                }
            }
        }
        Collections.sort(millis);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("what", "ms from the LDAP modify response to the first lookup showing the new othermailbox"
            + " (maxStaleness 10 min: only the persistent search explains it)");
        result.put("samples", notificationSamples);
        result.put("median_ms", millis.isEmpty() ? null : round(millis.get(millis.size() / 2), 2));
        result.put("max_ms", millis.isEmpty() ? null : round(millis.get(millis.size() - 1), 2));
        result.put("not_seen_within_5_s", unseen);
        return result;
    }

    // -------------------------------------------------------------------------------------------------- helpers

    private static List<MailAddress> parse(List<String> addresses) throws AddressException {
        List<MailAddress> parsed = new ArrayList<>(addresses.size());
        for (String address : addresses) {
            parsed.add(new MailAddress(address));
        }
        return parsed;
    }

    /** Runs one task per thread, all at once, and waits for them all; the first failure is thrown. */
    private static void inParallel(int threads, IntFunction<Callable<Void>> taskOfThread) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int thread = 0; thread < threads; thread++) {
                done.add(executor.submit(taskOfThread.apply(thread)));
            }
            for (Future<Void> future : done) {
                future.get();
            }
        } finally {
            executor.shutdownNow();
        }
    }

    static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    /** One server: URL and administrator. */
    private record Server(String name, String url, String bindDn, String password) {
        LDAPConnection connect() throws LDAPException {
            LDAPURL ldapUrl = new LDAPURL(url);
            LDAPConnectionOptions options = new LDAPConnectionOptions();
            options.setResponseTimeoutMillis(30_000);
            LDAPConnection connection = new LDAPConnection(options, ldapUrl.getHost(), ldapUrl.getPort());
            try {
                connection.bind(bindDn, password);
            } catch (LDAPException e) {
                connection.close();
                throw e;
            }
            return connection;
        }

        /** Fails unless the last entry of the data set is there. */
        void check(int entries) throws LDAPException {
            try (LDAPConnection connection = connect()) {
                if (connection.getEntry("mail=" + mail(entries - 1) + "," + SUFFIX, "1.1") == null) {
                    throw new IllegalStateException(name + " does not hold the " + entries + " entries");
                }
            }
        }

        LDAPConnectionPool pool(int size) throws LDAPException {
            LDAPURL ldapUrl = new LDAPURL(url);
            LDAPConnectionOptions options = new LDAPConnectionOptions();
            options.setResponseTimeoutMillis(30_000);
            LDAPConnectionPool pool = new LDAPConnectionPool(new SingleServerSet(ldapUrl.getHost(), ldapUrl.getPort(),
                options), new SimpleBindRequest(bindDn, password), size, size);
            pool.setRetryFailedOperationsDueToInvalidConnections(true);
            return pool;
        }
    }

    /** Latencies of several threads. */
    private static final class Recorder {
        private final List<LongList> lists = new ArrayList<>();
        private long errors;
        private long count;

        synchronized void add(LongList latencies, long errorCount) {
            lists.add(latencies);
            errors += errorCount;
            count += latencies.size;
        }

        synchronized void addCount(long operations, long errorCount, long ignored) {
            count += operations;
            errors += errorCount;
        }

        synchronized Map<String, Object> summary(double seconds, String what) {
            long[] all = new long[(int) count];
            int at = 0;
            for (LongList list : lists) {
                System.arraycopy(list.values, 0, all, at, list.size);
                at += list.size;
            }
            Arrays.sort(all);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put(what + "_per_s", round(count / seconds, 1));
            result.put(what, count);
            result.put("errors", errors);
            result.put("seconds", round(seconds, 2));
            result.put("p50_ms", all.length == 0 ? null : round(all[all.length / 2] / 1e6, 3));
            result.put("p99_ms", all.length == 0 ? null : round(all[(int) (all.length * 0.99)] / 1e6, 3));
            return result;
        }
    }

    private static final class LongList {
        long[] values = new long[1024];
        int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }
    }

    /** Just enough JSON for the result: maps, lists, strings, numbers, booleans, null. */
    static final class Json {
        private Json() {
        }

        static String write(Object value) {
            StringBuilder out = new StringBuilder();
            write(value, out, "");
            return out.toString();
        }

        private static void write(Object value, StringBuilder out, String indent) {
            if (value == null) {
                out.append("null");
            } else if (value instanceof Map<?, ?> map) {
                if (map.isEmpty()) {
                    out.append("{}");
                    return;
                }
                out.append("{\n");
                int i = 0;
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    out.append(indent).append("  ");
                    string(String.valueOf(entry.getKey()), out);
                    out.append(": ");
                    write(entry.getValue(), out, indent + "  ");
                    out.append(++i < map.size() ? ",\n" : "\n");
                }
                out.append(indent).append('}');
            } else if (value instanceof List<?> list) {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    write(list.get(i), out, indent);
                    out.append(i + 1 < list.size() ? ", " : "");
                }
                out.append(']');
            } else if (value instanceof Double d) {
                out.append(d.isNaN() || d.isInfinite() ? "null"
                    : d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString());
            } else if (value instanceof Number || value instanceof Boolean) {
                out.append(value);
            } else {
                string(value.toString(), out);
            }
        }

        private static void string(String text, StringBuilder out) {
            out.append('"');
            for (char c : text.toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }
}
