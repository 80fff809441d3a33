package org.switchboard.server.smtpd;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.switchboard.pipeline.InitParameters;

/**
 * The parameters of one {@code <handler>} element of {@code smtpserver.xml}, read with the pipeline's
 * {@link InitParameters} so that errors are worded as everywhere else and name the handler and the parameter.
 */
final class HandlerParameters {
    /** The chain's own attribute of the {@code <handler>} element. */
    private static final String CLASS_ATTRIBUTE = "[@class]";

    private final Configuration config;
    private final InitParameters parameters;
    private final String owner;

    private HandlerParameters(String owner, Configuration config) {
        this.owner = owner;
        this.config = config;
        this.parameters = InitParameters.of(owner, name -> {
            List<String> values = config.getList(String.class, name, List.of());
            return values.isEmpty() ? null : String.join(",", values);
        });
    }

    /** Reads {@code config}, refusing element names outside {@code allowed} (a typo would silently disable a check). */
    static HandlerParameters of(Class<?> handler, Configuration config, Set<String> allowed) throws ConfigurationException {
        HandlerParameters result = new HandlerParameters(handler.getName(), config);
        Set<String> names = new LinkedHashSet<>();
        config.getKeys().forEachRemaining(key -> names.add(topElement(key)));
        names.remove(CLASS_ATTRIBUTE);
        try {
            result.parameters.checkNames(names, allowed);
        } catch (MessagingException e) {
            throw new ConfigurationException(e.getMessage(), e);
        }
        return result;
    }

    /** {@code zone.name} and {@code zone[@reply]} are parameters of element {@code zone}. */
    private static String topElement(String key) {
        if (key.startsWith("[@")) {
            return key;
        }
        int end = key.length();
        for (char separator : new char[] {'.', '['}) {
            int at = key.indexOf(separator);
            if (at > 0) {
                end = Math.min(end, at);
            }
        }
        return key.substring(0, end);
    }

    String owner() {
        return owner;
    }

    /**
     * The entries of a list parameter: the element may be repeated and each value may hold several entries
     * separated by commas or white space. Empty when absent.
     */
    List<String> list(String name) {
        List<String> entries = new ArrayList<>();
        for (String value : config.getList(String.class, name, List.of())) {
            for (String entry : value.split("[,\\s]+")) {
                if (!entry.isEmpty()) {
                    entries.add(entry);
                }
            }
        }
        return entries;
    }

    /** Like {@link #list} but refuses an absent or empty list: the handler would check nothing. */
    List<String> requiredList(String name, String example) throws ConfigurationException {
        List<String> entries = list(name);
        if (entries.isEmpty()) {
            throw new ConfigurationException(owner + ": parameter " + name + " is missing or empty; list at least one, e.g. <"
                + name + ">" + example + "</" + name + ">");
        }
        return entries;
    }

    boolean flag(String name, boolean defaultValue) throws ConfigurationException {
        try {
            return parameters.flag(name, defaultValue);
        } catch (MessagingException e) {
            throw new ConfigurationException(e.getMessage(), e);
        }
    }

    <E extends Enum<E>> E choice(String name, Class<E> type, E defaultValue) throws ConfigurationException {
        try {
            return parameters.choice(name, type, defaultValue);
        } catch (MessagingException e) {
            throw new ConfigurationException(e.getMessage(), e);
        }
    }
}
