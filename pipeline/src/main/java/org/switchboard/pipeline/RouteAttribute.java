package org.switchboard.pipeline;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The output route the Message Switch decided for each recipient of a mail, kept as the mail attribute
 * {@value #ATTRIBUTE_NAME}: a map from the recipient address to its route, {@code CHANNEL$address}
 * (e.g. {@code "peterchan@otherisp.net" -> "SMTPC$peterchan@otherisp.net"}). The route's address is the address
 * in that channel: the recipient itself for LOCAL and SMTPC, possibly a non-mail address for other channels.
 *
 * <p>The value is a James map of strings ({@link AttributeValue#of(Map)}), which James serializes to JSON when
 * the mail goes through the spool or a mail repository, so the routes survive a restart. A recipient without an
 * entry has no route: James' default local/remote decision applies to it. When James splits a mail between
 * processors the copies keep the whole map; only their own recipients' entries matter.
 *
 * <p>This class is the only place that knows the attribute's name and encoding: the Message Switch writes it,
 * matchers such as {@code RouteIs} read it.
 */
public final class RouteAttribute {
    public static final String ATTRIBUTE_NAME = "org.switchboard.route";
    public static final AttributeName NAME = AttributeName.of(ATTRIBUTE_NAME);

    private static final Logger LOGGER = LoggerFactory.getLogger(RouteAttribute.class);

    private RouteAttribute() {
    }

    /**
     * The routes recorded on the mail, by recipient, in recording order; empty when none. Entries that do not
     * parse (not written by {@link #write}) are skipped and logged, never thrown: a bad attribute must not stop
     * the pipeline, and a recipient without a route takes James' default path.
     */
    public static Map<MailAddress, Route> read(Mail mail) {
        Optional<Attribute> attribute = mail.getAttribute(NAME);
        if (attribute.isEmpty()) {
            return Map.of();
        }
        Optional<Map> value = attribute.get().getValue().valueAs(Map.class);
        if (value.isEmpty()) {
            LOGGER.warn("Mail {}: attribute {} is not a map, ignored: {}", mail.getName(), ATTRIBUTE_NAME, attribute.get());
            return Map.of();
        }
        Map<MailAddress, Route> routes = new LinkedHashMap<>();
        ((Map<?, ?>) value.get()).forEach((key, entryValue) -> parseEntry(mail, key, entryValue)
            .ifPresent(route -> routes.put(route.getKey(), route.getValue())));
        return Collections.unmodifiableMap(routes);
    }

    /** The route recorded for one recipient, if any. */
    public static Optional<Route> routeOf(Mail mail, MailAddress recipient) {
        return Optional.ofNullable(read(mail).get(recipient));
    }

    /** Replaces the recorded routes; removes the attribute when there are none. */
    public static void write(Mail mail, Map<MailAddress, Route> routes) {
        if (routes.isEmpty()) {
            mail.removeAttribute(NAME);
            return;
        }
        Map<String, AttributeValue<?>> encoded = new LinkedHashMap<>();
        routes.forEach((recipient, route) -> encoded.put(recipient.asString(), AttributeValue.of(route.toString())));
        mail.setAttribute(new Attribute(NAME, AttributeValue.of(encoded)));
    }

    private static Optional<Map.Entry<MailAddress, Route>> parseEntry(Mail mail, Object key, Object value) {
        try {
            Object route = value instanceof AttributeValue<?> attributeValue ? attributeValue.value() : value;
            if (!(key instanceof String recipient) || !(route instanceof String routeString)) {
                throw new IllegalArgumentException("not a string");
            }
            return Optional.of(Map.entry(new MailAddress(recipient), Route.parse(routeString)));
        } catch (AddressException | IllegalArgumentException e) {
            LOGGER.warn("Mail {}: route entry {} -> {} of attribute {} ignored: {}", mail.getName(), key, value,
                ATTRIBUTE_NAME, e.getMessage());
            return Optional.empty();
        }
    }
}
