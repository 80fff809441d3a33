package org.switchboard.server.directory;

import java.security.SecureRandom;

/** Random passwords for the embedded directory's administrator and its transient key store. */
public final class RandomPassword {
    /** Letters and digits that cannot be mistaken for one another when read from a file. */
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final int LENGTH = 24;
    private static final SecureRandom RANDOM = new SecureRandom();

    private RandomPassword() {
    }

    public static String generate() {
        StringBuilder password = new StringBuilder(LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            password.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return password.toString();
    }
}
