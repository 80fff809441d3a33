package org.switchboard.server.jmx;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;

/** Where James' JMX server listens, as {@code conf/jmx.properties} says (James' defaults when it is missing). */
public record JmxEndpoint(String address, String port) {
    public static JmxEndpoint read(Path confDirectory) throws IOException {
        Properties jmx = new Properties();
        try (Reader reader = Files.newBufferedReader(confDirectory.resolve("jmx.properties"), StandardCharsets.UTF_8)) {
            jmx.load(reader);
        } catch (NoSuchFileException e) {
            // James' defaults apply
        }
        return new JmxEndpoint(jmx.getProperty("jmx.address", "127.0.0.1"), jmx.getProperty("jmx.port", "9999"));
    }
}
