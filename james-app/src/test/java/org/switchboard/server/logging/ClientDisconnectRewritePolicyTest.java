package org.switchboard.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.SocketException;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.apache.logging.log4j.util.SortedArrayStringMap;
import org.junit.jupiter.api.Test;

class ClientDisconnectRewritePolicyTest {
    private static final String HANDLER = "org.apache.james.protocols.netty.BasicChannelInboundHandler";

    private final ClientDisconnectRewritePolicy policy = ClientDisconnectRewritePolicy.create();

    private static LogEvent event(Level level, Throwable thrown) {
        SortedArrayStringMap context = new SortedArrayStringMap();
        context.putValue("ip", "192.0.2.7");
        context.putValue("protocol", "SMTP");
        return Log4jLogEvent.newBuilder().setLoggerName(HANDLER).setLevel(level)
            .setMessage(new SimpleMessage("Unable to process request")).setThrown(thrown).setContextData(context)
            .build();
    }

    @Test
    void aConnectionResetBecomesOneInfoLineNamingTheClient() {
        LogEvent rewritten = policy.rewrite(event(Level.ERROR, new SocketException("Connection reset")));

        assertThat(rewritten.getLevel()).isEqualTo(Level.INFO);
        assertThat(rewritten.getThrown()).as("no stack trace").isNull();
        assertThat(rewritten.getMessage().getFormattedMessage()).isEqualTo("Unable to process request: client"
            + " 192.0.2.7 (SMTP) closed the connection abruptly (java.net.SocketException: Connection reset)");
        assertThat(rewritten.getLoggerName()).isEqualTo(HANDLER);
        assertThat(rewritten.getContextData().<String>getValue("ip")).isEqualTo("192.0.2.7");
    }

    @Test
    void anyNetworkErrorOfTheHandlerIsExpected() {
        LogEvent rewritten = policy.rewrite(event(Level.WARN, new IOException("Broken pipe")));

        assertThat(rewritten.getLevel()).isEqualTo(Level.INFO);
        assertThat(rewritten.getMessage().getFormattedMessage()).endsWith("(java.io.IOException: Broken pipe)");
    }

    @Test
    void aBugKeepsItsLevelAndStackTrace() {
        IllegalStateException bug = new IllegalStateException("handler bug");
        LogEvent original = event(Level.ERROR, bug);

        LogEvent result = policy.rewrite(original);

        assertThat(result).isSameAs(original);
        assertThat(result.getLevel()).isEqualTo(Level.ERROR);
        assertThat(result.getThrown()).isSameAs(bug);
    }

    @Test
    void anEventWithoutThrowablePassesUnchanged() {
        LogEvent original = event(Level.INFO, null);

        assertThat(policy.rewrite(original)).isSameAs(original);
    }
}
