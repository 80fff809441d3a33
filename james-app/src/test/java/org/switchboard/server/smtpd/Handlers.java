package org.switchboard.server.smtpd;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.james.protocols.api.Response;

/** A {@code <handler class="...">} element of smtpserver.xml, read as James reads it (an XML configuration). */
final class Handlers {
    private Handlers() {
    }

    static XMLConfiguration config(Class<?> handler, String body) throws ConfigurationException {
        XMLConfiguration config = new XMLConfiguration();
        String xml = "<handler class=\"" + handler.getName() + "\">" + body + "</handler>";
        new FileHandler(config).load(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        return config;
    }

    /** The reply lines as the client reads them. */
    static List<String> lines(Response response) {
        return response.getLines().stream().map(CharSequence::toString).collect(Collectors.toList());
    }
}
