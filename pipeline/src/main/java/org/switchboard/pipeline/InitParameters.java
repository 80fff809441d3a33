package org.switchboard.pipeline;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.util.DurationParser;
import org.apache.james.util.Size;
import org.apache.mailet.base.GenericMailet;

/**
 * Reads a component's configuration parameters, one grammar per kind of value, and refuses a bad one with a
 * {@link MessagingException} that names the component and the parameter (start-up then fails with that message):
 * <ul>
 * <li>names: James' own {@code checkInitParameters} (the mailet's) refuses unknown ones, see {@link #checkNames};</li>
 * <li>text: {@link #required}, {@link #optional}, {@link #value}: trimmed; given but blank is an error, since an
 *     administrator who writes the element means something;</li>
 * <li>sizes: James' {@link Size} grammar, a number of octets with an optional unit {@code B}, {@code K}, {@code M} or
 *     {@code G} (powers of 1024, case-insensitive): {@code 512}, {@code 64k}, {@code 25M}; more than 0;</li>
 * <li>durations: James' {@link DurationParser} grammar, a number with an optional unit ({@code ms}, {@code s},
 *     {@code m}, {@code h}, {@code d}, ... and their long forms): {@code 30s}, {@code 10 minutes};</li>
 * <li>choices: the constants of an enum, case-insensitive ({@code separate}, {@code REPLACE});</li>
 * <li>flags: {@code true}/{@code yes} or {@code false}/{@code no}, case-insensitive, nothing else.</li>
 * </ul>
 */
public final class InitParameters {
    /** James' {@code GenericMailet.checkInitParameters}, which a mailet passes as {@code this::checkInitParameters}. */
    @FunctionalInterface
    public interface NameCheck {
        void check(Set<String> allowed) throws MessagingException;
    }

    /** Parameters James handles for every mailet, never refused. */
    private static final Set<String> JAMES_PARAMETERS = Set.of("onMailetException", "onMatchException");
    /** Beyond, {@link Size#asBytes()} of a number of G would overflow. */
    private static final long MAX_SIZE_NUMBER = Long.MAX_VALUE >> 30;

    private final String owner;
    private final String noun;
    private final Function<String, String> values;

    private InitParameters(String owner, String noun, Function<String, String> values) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.noun = noun;
        this.values = Objects.requireNonNull(values, "values");
    }

    /** The init parameters of a mailet, errors named after it. */
    public static InitParameters of(GenericMailet mailet) {
        return new InitParameters(mailet.getMailetName(), "init parameter", mailet::getInitParameter);
    }

    /** Parameters read elsewhere (e.g. an SMTP hook's elements), errors named after {@code owner}. */
    public static InitParameters of(String owner, Function<String, String> values) {
        return new InitParameters(owner, "parameter", values);
    }

    /** Runs James' check of the parameter names; its refusal names the mailet and lists the known parameters. */
    public void checkNames(NameCheck jamesCheck, Set<String> allowed) throws MessagingException {
        try {
            jamesCheck.check(allowed);
        } catch (MessagingException e) {
            throw new MessagingException(owner + ": " + e.getMessage() + "; the parameters are " + sorted(allowed));
        }
    }

    /** The same check for a component James does not check, given the names it was configured with. */
    public void checkNames(Collection<String> given, Set<String> allowed) throws MessagingException {
        Set<String> unexpected = new LinkedHashSet<>(given);
        unexpected.removeAll(allowed);
        unexpected.removeAll(JAMES_PARAMETERS);
        if (!unexpected.isEmpty()) {
            throw new MessagingException(owner + ": unknown " + noun + "(s) " + unexpected + "; the parameters are "
                + sorted(allowed));
        }
    }

    /** The trimmed value; empty when the parameter is absent. */
    public Optional<String> optional(String name) throws MessagingException {
        String value = values.apply(name);
        if (value == null) {
            return Optional.empty();
        }
        if (value.isBlank()) {
            throw new MessagingException(owner + ": " + noun + " " + name + " is empty");
        }
        return Optional.of(value.trim());
    }

    /** The trimmed value, or the default when the parameter is absent. */
    public String value(String name, String defaultValue) throws MessagingException {
        return optional(name).orElse(defaultValue);
    }

    /** The trimmed value; {@code hint} completes the error when it is absent ("name a processor ..."). */
    public String required(String name, String hint) throws MessagingException {
        return optional(name).orElseThrow(() -> new MessagingException(owner + ": " + noun + " " + name
            + " is missing; " + hint));
    }

    /** The value read by {@code parser}, whose {@link IllegalArgumentException} says what is wrong with it. */
    public <T> Optional<T> optional(String name, Function<String, T> parser) throws MessagingException {
        Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(value.get()));
        } catch (IllegalArgumentException e) {
            throw invalid(name, value.get(), e.getMessage());
        }
    }

    /** An input channel's name ({@link Channel#input}). */
    public Channel inputChannel(String name) throws MessagingException {
        required(name, "name one of the input channels " + Channel.inputs());
        return optional(name, Channel::input).orElseThrow();
    }

    /** A whole number from {@code min} to {@code max}; the default when absent. */
    public int number(String name, int defaultValue, int min, int max) throws MessagingException {
        return optional(name, value -> {
            int number;
            try {
                number = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a whole number");
            }
            if (number < min || number > max) {
                throw new IllegalArgumentException(max == Integer.MAX_VALUE ? "must be " + min + " or more"
                    : "must be from " + min + " to " + max);
            }
            return number;
        }).orElse(defaultValue);
    }

    /** A size in octets, James' {@link Size} grammar, more than 0. */
    public long size(String name, String defaultValue) throws MessagingException {
        String value = value(name, defaultValue);
        Size size;
        try {
            size = Size.parse(value);
        } catch (IllegalArgumentException e) {
            throw invalid(name, value, "not a size: a number of octets with an optional unit B, K, M or G, e.g. "
                + defaultValue);
        }
        if (size.getValue() <= 0) {
            throw invalid(name, value, "must be more than 0");
        }
        if (size.getValue() > MAX_SIZE_NUMBER) {
            throw invalid(name, value, "too large");
        }
        return size.asBytes();
    }

    /** A duration, James' {@link DurationParser} grammar; a bare number is in {@code defaultUnit}. */
    public Duration duration(String name, String defaultValue, ChronoUnit defaultUnit) throws MessagingException {
        String value = value(name, defaultValue);
        try {
            return DurationParser.parse(value, defaultUnit);
        } catch (IllegalArgumentException e) {
            throw invalid(name, value, "not a duration: a number with an optional unit (ms, s, m, h, d), e.g. "
                + defaultValue);
        }
    }

    /** One of the enum's constants, case-insensitive; the default when absent. */
    public <E extends Enum<E>> E choice(String name, Class<E> type, E defaultValue) throws MessagingException {
        Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return Arrays.stream(type.getEnumConstants())
            .filter(constant -> constant.name().equalsIgnoreCase(value.get()))
            .findFirst()
            .orElseThrow(() -> invalid(name, value.get(), "expected one of " + Arrays.stream(type.getEnumConstants())
                .map(constant -> constant.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
                + " (default " + defaultValue.name().toLowerCase(Locale.ROOT) + ")"));
    }

    /** {@code true}/{@code yes} or {@code false}/{@code no}, case-insensitive; the default when absent. */
    public boolean flag(String name, boolean defaultValue) throws MessagingException {
        Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes" -> true;
            case "false", "no" -> false;
            default -> throw invalid(name, value.get(), "expected true or false");
        };
    }

    /** An error about a parameter's value, worded like the others. */
    public MessagingException invalid(String name, String value, String problem) {
        return new MessagingException(owner + ": " + noun + " " + name + " '" + value + "': " + problem);
    }

    private static String sorted(Set<String> names) {
        return names.stream().sorted().collect(Collectors.joining(", "));
    }
}
