package org.switchboard.server.smtpc;

import java.util.Locale;
import java.util.Map;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.eclipse.jetty.http.HttpStatus;

import spark.Service;

/**
 * SMTPC's outbound queue over WebAdmin, the same view and actions as JMX and the CLI ({@link SmtpcService}):
 * <ul>
 *     <li>{@code GET /smtpc/channels}: every domain channel's state;</li>
 *     <li>{@code GET /smtpc/channels/DOMAIN}: one channel (404 when SMTPC has no mail for it);</li>
 *     <li>{@code GET /smtpc/mails/NAME}: why a mail is still queued (404 when it is not in SMTPC's queue);</li>
 *     <li>{@code POST /smtpc/channels/DOMAIN/flush}: the domain's held and deferred mail due now;</li>
 *     <li>{@code POST /smtpc/flush}: all held and deferred mail due now.</li>
 * </ul>
 */
public class SmtpcRoutes implements Routes {
    static final String BASE_PATH = "/smtpc";

    private final SmtpcService smtpc;
    private final JsonTransformer json;

    @Inject
    public SmtpcRoutes(SmtpcService smtpc, JsonTransformer json) {
        this.smtpc = smtpc;
        this.json = json;
    }

    @Override
    public String getBasePath() {
        return BASE_PATH;
    }

    @Override
    public void define(Service service) {
        service.get(BASE_PATH + "/channels", (request, response) -> smtpc.channelStates(), json);
        service.get(BASE_PATH + "/channels/:domain", (request, response) -> {
            String domain = request.params("domain").toLowerCase(Locale.ROOT);
            return smtpc.channelStates().stream().filter(channel -> channel.domain().equals(domain)).findFirst()
                .orElseThrow(() -> notFound("SMTPC has no channel for " + domain));
        }, json);
        service.get(BASE_PATH + "/mails/:name", (request, response) -> smtpc.queuedMail(request.params("name"))
            .orElseThrow(() -> notFound("mail " + request.params("name") + " is not in SMTPC's queue (delivered, "
                + "bounced, or not yet handed to SMTPC)")), json);
        service.post(BASE_PATH + "/channels/:domain/flush", (request, response) -> {
            String domain = request.params("domain").toLowerCase(Locale.ROOT);
            return Map.of("domain", domain, "due", smtpc.flush(domain));
        }, json);
        service.post(BASE_PATH + "/flush", (request, response) -> Map.of("due", smtpc.flushAll()), json);
    }

    private static RuntimeException notFound(String message) {
        return ErrorResponder.builder()
            .statusCode(HttpStatus.NOT_FOUND_404)
            .type(ErrorResponder.ErrorType.NOT_FOUND)
            .message(message)
            .haltError();
    }
}
