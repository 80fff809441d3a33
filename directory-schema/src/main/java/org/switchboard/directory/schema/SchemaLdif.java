package org.switchboard.directory.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Switchboard's LDAP schema: reads the single source ({@value #SOURCE}, RFC 4512 descriptions) and renders the LDIF
 * shipped for ApacheDS and for OpenLDAP, and the bootstrap DIT.
 *
 * <p>Run {@code main} with a directory to (re)write both LDIF files there.
 */
public final class SchemaLdif {
    public static final String RESOURCE_DIRECTORY = "/org/switchboard/directory/schema/";
    public static final String SOURCE = "switchboard.schema";
    public static final String APACHEDS_LDIF = "switchboard-schema-apacheds.ldif";
    public static final String OPENLDAP_LDIF = "switchboard-schema-openldap.ldif";
    public static final String DIT_TEMPLATE = "switchboard-dit.ldif.template";

    /** Switchboard's OID arc. PEN 32473 is the documentation PEN of RFC 5612: a placeholder, see README.md. */
    public static final String OID_ARC = "1.3.6.1.4.1.32473.1";

    /**
     * A standard attribute type that both servers already have, without matching rules; neither accepts a second
     * definition. ApacheDS: its {@code ou=schema} entry gets the source's matching rules. OpenLDAP (2.5, as in
     * Debian 12): the stock value of its cosine schema entry is replaced by the source's definition.
     *
     * @param apacheDsSchema  the ApacheDS schema holding it
     * @param openLdapEntry   the cn=config entry holding it (cosine loaded right after core, as Debian does)
     * @param openLdapStock   the stock definition there, deleted by value
     */
    record BuiltIn(String apacheDsSchema, String openLdapEntry, String openLdapStock) {
    }

    private static final Map<String, BuiltIn> BUILT_IN = Map.of("0.9.2342.19200300.100.1.22",
        new BuiltIn("cosine", "cn={1}cosine,cn=schema,cn=config",
            "( 0.9.2342.19200300.100.1.22 NAME 'otherMailbox' SYNTAX 1.3.6.1.4.1.1466.115.121.1.39 )"));

    private static final Pattern DEFINITION_START = Pattern.compile("(?i)^(attributetype|objectclass)\\s*\\(");
    private static final Pattern OID = Pattern.compile("^\\(\\s*([0-9.]+)\\s");
    private static final Pattern NAME = Pattern.compile("\\sNAME\\s+(?:'([^']+)'|\\(\\s*'([^']+)')");

    public enum Kind {
        ATTRIBUTE_TYPE("attributeTypes", "olcAttributeTypes"),
        OBJECT_CLASS("objectClasses", "olcObjectClasses");

        private final String subschemaAttribute;
        private final String olcAttribute;

        Kind(String subschemaAttribute, String olcAttribute) {
            this.subschemaAttribute = subschemaAttribute;
            this.olcAttribute = olcAttribute;
        }
    }

    /**
     * One definition of the source.
     *
     * @param lines the description "( OID ... )" as written in the source, one trimmed line per element
     */
    public record Definition(Kind kind, String oid, String name, List<String> lines) {
        /** The description on one line, as a server returns it from its subschema entry. */
        public String description() {
            return String.join(" ", lines);
        }

        /** True for a standard definition (outside Switchboard's arc) re-declared for servers that lack it. */
        public boolean isStandard() {
            return !oid.startsWith(OID_ARC + ".");
        }

        Optional<String> element(String keyword) {
            Matcher matcher = Pattern.compile("\\s" + keyword + "\\s+([A-Za-z0-9.-]+)").matcher(description());
            return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
        }
    }

    private SchemaLdif() {
    }

    public static String source() {
        return resource(SOURCE);
    }

    public static List<Definition> definitions() {
        return parse(source());
    }

    static List<Definition> parse(String source) {
        List<Definition> definitions = new ArrayList<>();
        List<String> current = null;
        Kind kind = null;
        int depth = 0;
        for (String raw : source.split("\n")) {
            String line = raw.strip();
            if (current == null) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                Matcher start = DEFINITION_START.matcher(line);
                if (!start.find()) {
                    throw new IllegalArgumentException("Unexpected line in " + SOURCE + ": " + line);
                }
                kind = start.group(1).equalsIgnoreCase("attributetype") ? Kind.ATTRIBUTE_TYPE : Kind.OBJECT_CLASS;
                line = line.substring(start.end() - 1);
                current = new ArrayList<>();
            } else if (line.startsWith("#")) {
                continue;
            }
            if (!line.isEmpty()) {
                current.add(line);
            }
            depth += parenthesisBalance(line);
            if (depth == 0) {
                definitions.add(definition(kind, current));
                current = null;
            }
        }
        if (current != null) {
            throw new IllegalArgumentException("Unterminated definition in " + SOURCE + ": " + current);
        }
        return List.copyOf(definitions);
    }

    private static int parenthesisBalance(String line) {
        int balance = 0;
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                balance++;
            } else if (!quoted && c == ')') {
                balance--;
            }
        }
        return balance;
    }

    private static Definition definition(Kind kind, List<String> lines) {
        String description = String.join(" ", lines);
        Matcher oid = OID.matcher(description);
        Matcher name = NAME.matcher(description);
        if (!oid.find() || !name.find()) {
            throw new IllegalArgumentException("Definition without a numeric OID or a NAME: " + description);
        }
        return new Definition(kind, oid.group(1), name.group(1) != null ? name.group(1) : name.group(2),
            List.copyOf(lines));
    }

    /**
     * LDIF for ApacheDS: one modify of the subschema entry {@code cn=schema} adding the attribute types, then the
     * object classes (persisted by ApacheDS into its {@code ou=schema} partition, schema "other"); then, for each
     * standard attribute type ApacheDS already has, a modify of its {@code ou=schema} entry setting the matching
     * rules of the source (ApacheDS applies those after a restart).
     */
    public static String renderApacheDs(List<Definition> definitions) {
        StringBuilder ldif = new StringBuilder(header("ApacheDS (2.0.0.AM27)",
            "Load as the administrator: ldapmodify -H ldap://127.0.0.1:10389 -D uid=admin,ou=system -W -f "
                + APACHEDS_LDIF,
            "then restart ApacheDS so that the matching rules set on standard attribute types apply."));
        ldif.append("dn: cn=schema\nchangetype: modify\n");
        for (Kind kind : Kind.values()) {
            ldif.append("add: ").append(kind.subschemaAttribute).append('\n');
            definitions.stream()
                .filter(definition -> definition.kind() == kind && !definition.isStandard())
                .forEach(definition -> ldif.append(value(kind.subschemaAttribute, definition)));
            ldif.append("-\n");
        }
        for (Definition definition : definitions) {
            if (!definition.isStandard()) {
                continue;
            }
            String schema = builtIn(definition).apacheDsSchema();
            ldif.append("\n# ").append(definition.name())
                .append(": built into ApacheDS (schema ").append(schema).append("); set its matching rules\n");
            ldif.append("dn: m-oid=").append(definition.oid()).append(",ou=attributeTypes,cn=").append(schema)
                .append(",ou=schema\nchangetype: modify\n");
            matchingRule(ldif, definition, "EQUALITY", "m-equality");
            matchingRule(ldif, definition, "ORDERING", "m-ordering");
            matchingRule(ldif, definition, "SUBSTR", "m-substr");
        }
        return ldif.toString();
    }

    private static void matchingRule(StringBuilder ldif, Definition definition, String keyword, String attribute) {
        definition.element(keyword).ifPresent(rule -> ldif.append("replace: ").append(attribute).append('\n')
            .append(attribute).append(": ").append(rule).append("\n-\n"));
    }

    /**
     * LDIF for OpenLDAP's cn=config ({@code ldapadd -Y EXTERNAL -H ldapi:/// -f ...}), after core and cosine: adds
     * {@code cn=switchboard,cn=schema,cn=config}, then replaces the stock definition of each standard attribute type
     * of the source in the cosine entry (OpenLDAP 2.5 accepts that change of its cn=config schema).
     */
    public static String renderOpenLdap(List<Definition> definitions) {
        StringBuilder ldif = new StringBuilder(header("OpenLDAP 2.5+ (cn=config)",
            "Load with: ldapadd -Y EXTERNAL -H ldapi:/// -f " + OPENLDAP_LDIF,
            "after the core and cosine schemas; cosine must be cn={1}cosine (loaded right after core, as Debian does)."));
        ldif.append("dn: cn=switchboard,cn=schema,cn=config\nobjectClass: olcSchemaConfig\ncn: switchboard\n");
        for (Kind kind : Kind.values()) {
            definitions.stream()
                .filter(definition -> definition.kind() == kind && !definition.isStandard())
                .forEach(definition -> ldif.append(value(kind.olcAttribute, definition)));
        }
        for (Definition definition : definitions) {
            if (!definition.isStandard()) {
                continue;
            }
            BuiltIn builtIn = builtIn(definition);
            ldif.append("\n# ").append(definition.name()).append(": built into cosine without matching rules;")
                .append(" replace its definition\n");
            ldif.append("dn: ").append(builtIn.openLdapEntry()).append("\nchangetype: modify\n");
            ldif.append("delete: olcAttributeTypes\nolcAttributeTypes: ").append(builtIn.openLdapStock()).append("\n-\n");
            ldif.append("add: olcAttributeTypes\n").append(value("olcAttributeTypes", definition)).append("-\n");
        }
        return ldif.toString();
    }

    private static BuiltIn builtIn(Definition definition) {
        BuiltIn builtIn = BUILT_IN.get(definition.oid());
        if (builtIn == null || definition.kind() != Kind.ATTRIBUTE_TYPE) {
            throw new IllegalStateException("Standard definition " + definition.name()
                + " is not known to be built into ApacheDS and OpenLDAP: give it an OID in " + OID_ARC);
        }
        return builtIn;
    }

    private static String header(String server, String... usage) {
        StringBuilder header = new StringBuilder();
        header.append("# Switchboard directory schema for ").append(server).append(".\n");
        header.append("# GENERATED from ").append(SOURCE).append(" by SchemaLdif: do not edit by hand.\n");
        for (String line : usage) {
            header.append("# ").append(line).append('\n');
        }
        return header.append("version: 1\n\n").toString();
    }

    /** One LDIF attribute value, folded (RFC 2849) at the element boundaries of the source. */
    private static String value(String attribute, Definition definition) {
        return attribute + ": " + String.join("\n  ", definition.lines()) + "\n";
    }

    /**
     * The bootstrap DIT for a mail domain: the suffix entry ({@code dcObject} + {@code organization}, as the
     * original product names its suffix after the domain) and {@code ou=config}. People and lists are added as
     * {@code mail=<address>} directly below the {@code dc=} entries of their domain.
     *
     * @param suffix the DN of the suffix, {@code dc=} components, e.g. {@code dc=example,dc=com}
     */
    public static String bootstrapDit(String domain, String suffix) {
        Objects.requireNonNull(domain, "domain");
        String firstRdn = suffix.split(",", 2)[0].strip();
        if (!firstRdn.regionMatches(true, 0, "dc=", 0, 3)) {
            throw new IllegalArgumentException("The suffix must start with a dc= component: " + suffix);
        }
        return resource(DIT_TEMPLATE)
            .replace("${suffix}", suffix)
            .replace("${dc}", firstRdn.substring(3).strip())
            .replace("${domain}", domain);
    }

    /** The suffix of a mail domain: {@code example.com} gives {@code dc=example,dc=com}. */
    public static String suffixOf(String domain) {
        StringBuilder suffix = new StringBuilder();
        for (String label : domain.toLowerCase(java.util.Locale.ROOT).split("\\.")) {
            if (suffix.length() > 0) {
                suffix.append(',');
            }
            suffix.append("dc=").append(label);
        }
        return suffix.toString();
    }

    public static String resource(String name) {
        try (InputStream in = SchemaLdif.class.getResourceAsStream(RESOURCE_DIRECTORY + name)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + RESOURCE_DIRECTORY + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes both LDIF files into the directory given as argument. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: SchemaLdif <output directory>");
            System.exit(2);
        }
        Path directory = Path.of(args[0]);
        Files.createDirectories(directory);
        List<Definition> definitions = definitions();
        Files.writeString(directory.resolve(APACHEDS_LDIF), renderApacheDs(definitions), StandardCharsets.UTF_8);
        Files.writeString(directory.resolve(OPENLDAP_LDIF), renderOpenLdap(definitions), StandardCharsets.UTF_8);
    }
}
