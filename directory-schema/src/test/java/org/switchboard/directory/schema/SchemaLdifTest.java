package org.switchboard.directory.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class SchemaLdifTest {
    /** Where the committed LDIFs live in the source tree (surefire runs in the module directory). */
    private static final Path SOURCE_RESOURCES = Path.of("src/main/resources/org/switchboard/directory/schema");
    private static final Set<String> STANDARD_ATTRIBUTES = Set.of("mail", "cn", "sn", "name", "description",
        "street", "telephonenumber", "userpassword");

    private final List<SchemaLdif.Definition> definitions = SchemaLdif.definitions();

    @Test
    void committedLdifsAreRenderedFromTheSource() throws Exception {
        // -Dswitchboard.schema.regenerate=true rewrites them after an edit of switchboard.schema
        boolean regenerate = Boolean.getBoolean("switchboard.schema.regenerate");
        if (regenerate) {
            SchemaLdif.main(new String[] {SOURCE_RESOURCES.toString()});
        }
        assertThat(Files.readString(SOURCE_RESOURCES.resolve(SchemaLdif.APACHEDS_LDIF), StandardCharsets.UTF_8))
            .as("%s is stale: run mvn test -pl directory-schema -Dswitchboard.schema.regenerate=true",
                SchemaLdif.APACHEDS_LDIF)
            .isEqualTo(SchemaLdif.renderApacheDs(definitions));
        assertThat(Files.readString(SOURCE_RESOURCES.resolve(SchemaLdif.OPENLDAP_LDIF), StandardCharsets.UTF_8))
            .as("%s is stale: run mvn test -pl directory-schema -Dswitchboard.schema.regenerate=true",
                SchemaLdif.OPENLDAP_LDIF)
            .isEqualTo(SchemaLdif.renderOpenLdap(definitions));
        if (!regenerate) { // the copy on the class path is the one the server loads
            assertThat(SchemaLdif.resource(SchemaLdif.APACHEDS_LDIF))
                .isEqualTo(SchemaLdif.renderApacheDs(definitions));
        }
    }

    @Test
    void definesEveryObjectClassOfTheSpecification() {
        assertThat(names(SchemaLdif.Kind.OBJECT_CLASS)).containsExactlyInAnyOrder("ieperson", "ieconfig",
            "iemessagestoreuser", "iemessagestoreshared", "ielist", "ielistowner", "ielistrequest", "ielistbounce", "IEMachine");
        assertThat(names(SchemaLdif.Kind.ATTRIBUTE_TYPE)).contains("firstname", "x-permission", "otherMailbox",
            "ieMailAlias", "ieMailQuota", "ieListMember", "ieListOwnerAddress", "ieListSubscription", "ieListDigest");
    }

    @Test
    void oidsAndNamesAreUniqueAndNewOnesUseTheArc() {
        Set<String> oids = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (SchemaLdif.Definition definition : definitions) {
            assertThat(oids.add(definition.oid())).as("duplicate OID %s", definition.oid()).isTrue();
            assertThat(names.add(definition.name().toLowerCase(Locale.ROOT))).as("duplicate name %s",
                definition.name()).isTrue();
        }
        assertThat(definitions).filteredOn(SchemaLdif.Definition::isStandard)
            .extracting(SchemaLdif.Definition::name).containsExactly("otherMailbox");
    }

    @Test
    void objectClassesOnlyUseKnownAttributes() {
        Set<String> known = definitions.stream().filter(d -> d.kind() == SchemaLdif.Kind.ATTRIBUTE_TYPE)
            .map(d -> d.name().toLowerCase(Locale.ROOT)).collect(Collectors.toCollection(HashSet::new));
        known.addAll(STANDARD_ATTRIBUTES);
        Pattern list = Pattern.compile("\\s(?:MUST|MAY)\\s+(\\([^)]*\\)|\\S+)");
        for (SchemaLdif.Definition objectClass : definitions) {
            if (objectClass.kind() != SchemaLdif.Kind.OBJECT_CLASS) {
                continue;
            }
            Matcher matcher = list.matcher(objectClass.description());
            while (matcher.find()) {
                for (String attribute : matcher.group(1).replaceAll("[()]", " ").split("\\$")) {
                    assertThat(known).as("attribute of %s", objectClass.name())
                        .contains(attribute.strip().toLowerCase(Locale.ROOT));
                }
            }
        }
    }

    @Test
    void caseIgnoreMatchingOnEveryStringAttribute() {
        definitions.stream()
            .filter(d -> d.kind() == SchemaLdif.Kind.ATTRIBUTE_TYPE && d.description().contains(".121.1.15")
                || d.description().contains(".121.1.26"))
            .forEach(d -> assertThat(d.description()).as(d.name()).containsPattern("EQUALITY caseIgnore"));
    }

    @Test
    void apacheDsLdifAddsToTheSubschemaAndPatchesOtherMailbox() {
        String ldif = SchemaLdif.renderApacheDs(definitions);
        assertThat(ldif).contains("dn: cn=schema\nchangetype: modify\nadd: attributeTypes\n")
            .contains("dn: m-oid=0.9.2342.19200300.100.1.22,ou=attributeTypes,cn=cosine,ou=schema")
            .contains("m-equality: caseIgnoreIA5Match")
            .doesNotContain("attributeTypes: ( 0.9.2342.19200300.100.1.22");
        String openLdap = SchemaLdif.renderOpenLdap(definitions);
        assertThat(openLdap)
            .contains("olcObjectClasses: ( 1.3.6.1.4.1.32473.1.2.1\n  NAME 'ieperson'")
            .contains("dn: cn={1}cosine,cn=schema,cn=config\nchangetype: modify\ndelete: olcAttributeTypes\n"
                + "olcAttributeTypes: ( 0.9.2342.19200300.100.1.22 NAME 'otherMailbox' SYNTAX 1.3.6.1.4.1.1466.115.121.1.39 )\n"
                + "-\nadd: olcAttributeTypes\nolcAttributeTypes: ( 0.9.2342.19200300.100.1.22");
        // otherMailbox is not (re)defined in the switchboard schema entry of either server
        assertThat(openLdap.substring(0, openLdap.indexOf("dn: cn={1}cosine")))
            .doesNotContain("0.9.2342.19200300.100.1.22");
    }

    @Test
    void bootstrapDitUsesTheDomainComponents() {
        assertThat(SchemaLdif.suffixOf("Example.COM")).isEqualTo("dc=example,dc=com");
        String dit = SchemaLdif.bootstrapDit("example.com", "dc=example,dc=com");
        assertThat(dit).contains("dn: dc=example,dc=com\n").contains("dc: example\n").contains("o: example.com\n")
            .contains("dn: ou=config,dc=example,dc=com\n").doesNotContain("${");
        assertThatThrownBy(() -> SchemaLdif.bootstrapDit("example.com", "o=example.com"))
            .hasMessageContaining("dc=");
    }

    @Test
    void rejectsAnUnterminatedDefinition() {
        assertThatThrownBy(() -> SchemaLdif.parse("attributetype ( 1.2.3 NAME 'x'\n"))
            .hasMessageContaining("Unterminated");
    }

    private List<String> names(SchemaLdif.Kind kind) {
        return definitions.stream().filter(d -> d.kind() == kind).map(SchemaLdif.Definition::name).toList();
    }
}
