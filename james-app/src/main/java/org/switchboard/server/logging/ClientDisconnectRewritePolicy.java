package org.switchboard.server.logging;

import java.io.IOException;

import org.apache.james.util.MDCBuilder;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.rewrite.RewritePolicy;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.apache.logging.log4j.util.ReadOnlyStringMap;

/**
 * A client that resets its connection (a port probe, a load balancer's health check, a client killed mid-session)
 * makes James' protocol handlers log {@code ERROR Unable to process request} (SMTP, LMTP, POP3) or a WARN (IMAP,
 * ManageSieve) with the whole stack trace of the {@link IOException}. That is an expected network condition, not a
 * bug: this policy turns such an event into one INFO line naming the client, e.g. {@code Unable to process request:
 * client 192.0.2.7 (SMTP) closed the connection abruptly (java.net.SocketException: Connection reset)}. Events
 * without an {@link IOException} (the handlers' real failures) pass unchanged, stack trace included.
 *
 * <p>Log4j 2 configuration ({@code conf/log4j2.xml}): a {@code Rewrite} appender with {@code <ClientDisconnects/>}
 * in front of the real appenders, referenced by the handlers' loggers only.
 */
@Plugin(name = "ClientDisconnects", category = "Core", elementType = "rewritePolicy", printObject = true)
public final class ClientDisconnectRewritePolicy implements RewritePolicy {
    @PluginFactory
    public static ClientDisconnectRewritePolicy create() {
        return new ClientDisconnectRewritePolicy();
    }

    @Override
    public LogEvent rewrite(LogEvent event) {
        Throwable thrown = event.getThrown();
        if (!(thrown instanceof IOException)) {
            return event;
        }
        String text = event.getMessage().getFormattedMessage() + ": client " + client(event.getContextData())
            + " closed the connection abruptly (" + thrown + ")";
        return new Log4jLogEvent.Builder(event)
            .setLevel(Level.INFO)
            .setMessage(new SimpleMessage(text))
            .setThrown(null)
            .setThrownProxy(null)
            .build();
    }

    private static String client(ReadOnlyStringMap context) {
        String ip = context.getValue(MDCBuilder.IP);
        String protocol = context.getValue(MDCBuilder.PROTOCOL);
        return (ip == null ? "(address unknown)" : ip) + (protocol == null ? "" : " (" + protocol + ")");
    }
}
