package org.switchboard.server.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.BaseRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The open-relay battery at the handler; the integration test sends the same addresses to the packaged server. */
class RelayTrickCmdHandlerTest {
    private final RelayTrickCmdHandler handler = new RelayTrickCmdHandler();

    private Response rcpt(String argument) {
        Request request = new BaseRequest("RCPT", argument);
        return handler.onCommand(FakeSession.from("198.51.100.1"), request);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "TO:<user%other.test@ourdomain.test>|'%' in the local part (user%host@domain)",
        "TO:<USER%OTHER.TEST@OURDOMAIN.TEST>|'%' in the local part (user%host@domain)",
        "TO:<user%other.test@[192.0.2.25]>|'%' in the local part (user%host@domain)",
        "TO:<user%other.test>|'%' in the local part (user%host@domain)",
        "TO:<@ourdomain.test:user@other.test>|source route (@host:user@domain)",
        "TO:<@ourdomain.test,@relay.test:user@other.test>|source route (@host:user@domain)",
        "TO:<\"user@other.test\"@ourdomain.test>|quoted local part with '@', '%' or '!' (\"user@host\"@domain)",
        "TO:<\"user%other.test\"@ourdomain.test>|quoted local part with '@', '%' or '!' (\"user@host\"@domain)",
        "TO:<\"other.test!user\"@ourdomain.test>|quoted local part with '@', '%' or '!' (\"user@host\"@domain)",
        "TO:<\"user\\@other.test\"@ourdomain.test>|quoted local part with '@', '%' or '!' (\"user@host\"@domain)",
        "TO:<\"user@other.test\">|quoted local part with '@', '%' or '!' (\"user@host\"@domain)",
        "TO:<user@other.test@ourdomain.test>|more than one '@' (user@host@domain)",
        "TO:<user@other.test@[192.0.2.25]>|more than one '@' (user@host@domain)",
        "TO:<other.test!user@ourdomain.test>|bang path (host!user@domain)",
        "TO:<other.test!user>|bang path (host!user@domain)",
        "TO:<user!other.test@ourdomain.test>|bang path (host!user@domain)",
        "TO:<user@ourdomain.test.>|domain with a trailing dot (user@domain.)",
        "TO:<user@[203.0.113.9]>|address literal [203.0.113.9] is not this server (user@[address])",
        "TO:<user@[IPv6:2001:db8::9]>|address literal [IPv6:2001:db8::9] is not this server (user@[address])",
        "TO:<user@[not.an.address]>|invalid address literal [not.an.address]",
        "to: <user%other.test@ourdomain.test> NOTIFY=NEVER|'%' in the local part (user%host@domain)",
    })
    void refused(String argument, String reason) {
        Response response = rcpt(argument);

        assertThat(response).as(argument).isNotNull();
        assertThat(Handlers.lines(response)).containsExactly(
            "553 5.7.1 Rejected: " + reason + "; relay address tricks are refused");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "TO:<user@ourdomain.test>",
        "TO:<First.Last+tag@ourdomain.test>",
        "TO:<\"first last\"@ourdomain.test>",
        "TO:<user@other.test>",
        "TO:<postmaster>",
        "TO:<user@[192.0.2.25]>",
        "TO:<user@ourdomain.test> NOTIFY=SUCCESS ORCPT=rfc822;a%b@c",
        "TO:<>",
        "TO:",
        "garbage",
    })
    void leftToJames(String argument) {
        assertThat(rcpt(argument)).as(argument).isNull();
    }
}
