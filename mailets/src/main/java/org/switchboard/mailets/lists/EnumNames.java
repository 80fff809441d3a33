package org.switchboard.mailets.lists;

import java.util.Arrays;
import java.util.Locale;

/** Reads list settings written as the name of an enum constant. */
final class EnumNames {
    private EnumNames() {
    }

    /** The constant of that name, case-insensitive; {@link IllegalArgumentException} naming the choices otherwise. */
    static <E extends Enum<E>> E named(Class<E> type, String name, String noun) {
        return Arrays.stream(type.getEnumConstants())
            .filter(constant -> constant.name().equals(name.trim().toUpperCase(Locale.ROOT)))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("'" + name + "' is not " + noun + "; the choices are "
                + Arrays.toString(type.getEnumConstants())));
    }
}
