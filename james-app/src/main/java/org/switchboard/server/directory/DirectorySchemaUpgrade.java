package org.switchboard.server.directory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.directory.api.ldap.model.entry.DefaultModification;
import org.apache.directory.api.ldap.model.entry.Modification;
import org.apache.directory.api.ldap.model.entry.ModificationOperation;
import org.apache.directory.api.ldap.model.entry.Value;
import org.apache.directory.api.ldap.model.exception.LdapException;
import org.apache.directory.api.ldap.model.ldif.LdifEntry;
import org.apache.directory.api.ldap.model.name.Dn;
import org.apache.directory.api.ldap.model.schema.AttributeType;
import org.apache.directory.api.ldap.model.schema.ObjectClass;
import org.apache.directory.api.ldap.model.schema.SchemaManager;
import org.apache.directory.api.ldap.model.schema.SchemaObject;
import org.apache.directory.api.ldap.model.schema.SchemaObjectRenderer;
import org.apache.directory.api.ldap.model.schema.parsers.AttributeTypeDescriptionSchemaParser;
import org.apache.directory.api.ldap.model.schema.parsers.ObjectClassDescriptionSchemaParser;
import org.apache.directory.api.ldap.model.schema.registries.SchemaObjectRegistry;
import org.apache.directory.server.core.api.DirectoryService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the Switchboard schema of an existing directory up to date with the shipped LDIF: attribute types and
 * object classes it lacks are added, and those whose definition changed are replaced (an object class is deleted and
 * added again, which ApacheDS allows while entries use it; so is every object class naming a replaced attribute type,
 * since ApacheDS refuses to delete a type something still refers to). Comparisons are on the definitions' meaning
 * (OIDs of rules, syntaxes, superiors and attributes), so an up-to-date directory is left untouched.
 */
final class DirectorySchemaUpgrade {
    private static final Logger LOGGER = LoggerFactory.getLogger(DirectorySchemaUpgrade.class);
    private static final String ATTRIBUTE_TYPES = "attributeTypes";
    private static final String OBJECT_CLASSES = "objectClasses";

    private final SchemaManager schemaManager;
    private final List<String> removedClasses = new ArrayList<>();
    private final List<String> removedTypes = new ArrayList<>();
    private final List<String> addedTypes = new ArrayList<>();
    private final List<String> addedClasses = new ArrayList<>();
    private final List<String> changed = new ArrayList<>();

    private DirectorySchemaUpgrade(SchemaManager schemaManager) {
        this.schemaManager = schemaManager;
    }

    /**
     * Applies to {@code cn=schema} what {@code subschemaChange} (the LDIF's {@code cn=schema} modification) defines
     * and the directory lacks or defines differently.
     *
     * @return the names of the attribute types and object classes added or replaced; empty when up to date
     */
    static List<String> apply(DirectoryService service, LdifEntry subschemaChange) throws Exception {
        DirectorySchemaUpgrade upgrade = new DirectorySchemaUpgrade(service.getSchemaManager());
        upgrade.compare(definitions(subschemaChange, ATTRIBUTE_TYPES), definitions(subschemaChange, OBJECT_CLASSES));
        upgrade.write(service, subschemaChange.getDn().getName());
        return List.copyOf(upgrade.changed);
    }

    private void compare(List<String> typeDefinitions, List<String> classDefinitions) throws Exception {
        AttributeTypeDescriptionSchemaParser typeParser = new AttributeTypeDescriptionSchemaParser();
        Set<String> replacedTypeOids = new HashSet<>();
        for (String definition : typeDefinitions) {
            AttributeType wanted = typeParser.parse(definition);
            AttributeType present = schemaManager.getAttributeTypeRegistry().contains(wanted.getOid())
                ? schemaManager.getAttributeTypeRegistry().lookup(wanted.getOid()) : null;
            if (present == null || !describe(present).equals(describe(wanted))) {
                if (present != null) {
                    LOGGER.info("Directory: attribute type {} changed from {} to {}", wanted.getName(),
                        describe(present), describe(wanted));
                    removedTypes.add(SchemaObjectRenderer.SUBSCHEMA_SUBENTRY_RENDERER.render(present));
                    replacedTypeOids.add(present.getOid());
                }
                addedTypes.add(definition);
                changed.add(wanted.getName());
            }
        }
        ObjectClassDescriptionSchemaParser classParser = new ObjectClassDescriptionSchemaParser();
        for (String definition : classDefinitions) {
            ObjectClass wanted = classParser.parse(definition);
            ObjectClass present = schemaManager.getObjectClassRegistry().contains(wanted.getOid())
                ? schemaManager.getObjectClassRegistry().lookup(wanted.getOid()) : null;
            if (present == null || !describe(present).equals(describe(wanted))
                || namesAny(present, replacedTypeOids)) {
                if (present != null) {
                    LOGGER.info("Directory: object class {} changed from {} to {}", wanted.getName(),
                        describe(present), describe(wanted));
                    removedClasses.add(SchemaObjectRenderer.SUBSCHEMA_SUBENTRY_RENDERER.render(present));
                }
                addedClasses.add(definition);
                changed.add(wanted.getName());
            }
        }
    }

    /** Object classes first out and last in: they refer to the attribute types. */
    private void write(DirectoryService service, String subschemaDn) throws Exception {
        Dn dn = new Dn(schemaManager, subschemaDn);
        modify(service, dn, ModificationOperation.REMOVE_ATTRIBUTE, OBJECT_CLASSES, removedClasses);
        modify(service, dn, ModificationOperation.REMOVE_ATTRIBUTE, ATTRIBUTE_TYPES, removedTypes);
        modify(service, dn, ModificationOperation.ADD_ATTRIBUTE, ATTRIBUTE_TYPES, addedTypes);
        modify(service, dn, ModificationOperation.ADD_ATTRIBUTE, OBJECT_CLASSES, addedClasses);
    }

    private static void modify(DirectoryService service, Dn dn, ModificationOperation operation, String attribute,
                               List<String> values) throws Exception {
        if (!values.isEmpty()) {
            service.getAdminSession().modify(dn,
                new DefaultModification(operation, attribute, values.toArray(String[]::new)));
        }
    }

    private static List<String> definitions(LdifEntry subschemaChange, String attribute) {
        List<String> definitions = new ArrayList<>();
        for (Modification modification : subschemaChange.getModifications()) {
            if (modification.getAttribute().getUpId().equalsIgnoreCase(attribute)) {
                for (Value value : modification.getAttribute()) {
                    definitions.add(value.getString());
                }
            }
        }
        return definitions;
    }

    private boolean namesAny(ObjectClass objectClass, Set<String> typeOids) {
        return objectClass.getMustAttributeTypeOids().stream().map(this::typeOid).anyMatch(typeOids::contains)
            || objectClass.getMayAttributeTypeOids().stream().map(this::typeOid).anyMatch(typeOids::contains);
    }

    /**
     * What an attribute type means, with every reference resolved to an OID, and what it does not say taken from its
     * superior, as the registry does. Not the syntax length: ApacheDS does not keep it.
     */
    private Map<String, Object> describe(AttributeType type) {
        Map<String, Object> meaning = common(type);
        Optional<AttributeType> superior = Optional.ofNullable(type.getSuperiorOid())
            .filter(schemaManager.getAttributeTypeRegistry()::contains)
            .map(schemaManager::getAttributeType);
        meaning.put("sup", typeOid(type.getSuperiorOid()));
        meaning.put("equality", oid(schemaManager.getMatchingRuleRegistry(),
            inherited(type.getEqualityOid(), superior.map(AttributeType::getEqualityOid))));
        meaning.put("ordering", oid(schemaManager.getMatchingRuleRegistry(),
            inherited(type.getOrderingOid(), superior.map(AttributeType::getOrderingOid))));
        meaning.put("substr", oid(schemaManager.getMatchingRuleRegistry(),
            inherited(type.getSubstringOid(), superior.map(AttributeType::getSubstringOid))));
        meaning.put("syntax", inherited(type.getSyntaxOid(), superior.map(AttributeType::getSyntaxOid)));
        meaning.put("single", type.isSingleValued());
        meaning.put("collective", type.isCollective());
        meaning.put("userModifiable", type.isUserModifiable());
        meaning.put("usage", type.getUsage());
        return meaning;
    }

    /** What an object class means, with every reference resolved to an OID. */
    private Map<String, Object> describe(ObjectClass objectClass) {
        Map<String, Object> meaning = common(objectClass);
        meaning.put("sup", objectClass.getSuperiorOids().stream()
            .map(name -> oid(schemaManager.getObjectClassRegistry(), name)).collect(Collectors.toSet()));
        meaning.put("kind", objectClass.getType());
        meaning.put("must", objectClass.getMustAttributeTypeOids().stream().map(this::typeOid)
            .collect(Collectors.toSet()));
        meaning.put("may", objectClass.getMayAttributeTypeOids().stream().map(this::typeOid)
            .collect(Collectors.toSet()));
        return meaning;
    }

    private static String inherited(String own, Optional<String> superiors) {
        return own != null ? own : superiors.orElse(null);
    }

    private static Map<String, Object> common(SchemaObject object) {
        Map<String, Object> meaning = new LinkedHashMap<>();
        meaning.put("names", object.getNames().stream().map(name -> name.toLowerCase(Locale.ROOT))
            .collect(Collectors.toSet()));
        meaning.put("description", Objects.toString(object.getDescription(), ""));
        meaning.put("obsolete", object.isObsolete());
        return meaning;
    }

    private String typeOid(String nameOrOid) {
        return oid(schemaManager.getAttributeTypeRegistry(), nameOrOid);
    }

    /** The OID a name stands for in the registry; a name the registry lacks stays itself, so it compares unequal. */
    private static String oid(SchemaObjectRegistry<? extends SchemaObject> registry, String nameOrOid) {
        if (nameOrOid == null) {
            return null;
        }
        try {
            return registry.contains(nameOrOid) ? registry.lookup(nameOrOid).getOid()
                : nameOrOid.toLowerCase(Locale.ROOT);
        } catch (LdapException e) {
            return nameOrOid.toLowerCase(Locale.ROOT);
        }
    }
}
