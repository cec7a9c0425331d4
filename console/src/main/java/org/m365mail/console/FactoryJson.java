package org.m365mail.console;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.resource.ResourceException;
import org.m365mail.admin.CredentialExpiry;
import org.m365mail.admin.FactoryAdministration;
import org.m365mail.admin.LastFailure;
import org.m365mail.admin.MailboxConsent;
import org.m365mail.admin.MetricsSnapshot;
import org.m365mail.admin.PoolStatus;
import org.m365mail.admin.SetupReport;
import org.m365mail.admin.SetupStep;
import org.m365mail.admin.Setting;
import org.m365mail.admin.TokenState;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailOutbox;
import org.m365mail.api.OutboxCounts;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The console's JSON for a factory, built with JSON-P: its summary for the list, its details (state, token, counts,
 * last failure with advice, alerts, configuration) and a Check setup report. Nothing here carries a secret: the
 * adapter's administration API gives none out.
 */
final class FactoryJson {

    private FactoryJson() {
    }

    /** One line of the list. */
    static JsonObject summary(String jndiName, MailConnectionFactory factory) {
        JsonObjectBuilder item = Json.createObjectBuilder().add("jndiName", jndiName);
        try {
            FactoryAdministration admin = FactoryAdministration.of(factory);
            item.add("transport", admin.transport()).add("authentication", admin.authentication())
                    .add("fromAddress", admin.fromAddress());
            status(item, admin.status());
            MetricsSnapshot counts = admin.metrics();
            item.add("sent", counts.sent()).add("failed", counts.failedTotal());
            item.add("delegated", admin.consent().isPresent());
        } catch (ResourceException e) {
            item.add("problem", String.valueOf(e.getMessage()));
        }
        return item.build();
    }

    /** The factory's outbox: its counts, or that it has none, or why they cannot be read now. */
    private static JsonObjectBuilder outbox(MailConnectionFactory factory) {
        JsonObjectBuilder outbox = Json.createObjectBuilder();
        try {
            Optional<MailOutbox> configured = factory.outbox();
            if (configured.isEmpty()) {
                return outbox.add("configured", false);
            }
            OutboxCounts counts = configured.get().counts();
            return outbox.add("configured", true).add("waiting", counts.waiting()).add("sending", counts.sending())
                    .add("delivered", counts.delivered()).add("failed", counts.failed())
                    .add("inDoubt", counts.inDoubt());
        } catch (ResourceException e) {
            return outbox.add("configured", true).add("problem", String.valueOf(e.getMessage()));
        }
    }

    /** Everything the console shows of one factory. */
    static JsonObject details(String jndiName, MailConnectionFactory factory) {
        JsonObjectBuilder item = Json.createObjectBuilder().add("jndiName", jndiName);
        FactoryAdministration admin;
        try {
            admin = FactoryAdministration.of(factory);
        } catch (ResourceException e) {
            return item.add("problem", String.valueOf(e.getMessage())).build();
        }
        item.add("configuration", configuration(admin.configuration()));
        try {
            item.add("transport", admin.transport()).add("authentication", admin.authentication())
                    .add("fromAddress", admin.fromAddress());
            status(item, admin.status());
            item.add("token", token(admin.token()));
            item.add("metrics", metrics(admin.metrics()));
            Optional<LastFailure> last = admin.lastFailure();
            last.ifPresent(f -> item.add("lastFailure", Json.createObjectBuilder().add("at", f.at().toString())
                    .add("kind", f.kind()).add("detail", f.detail()).add("advice", f.advice())));
            JsonArrayBuilder alerts = Json.createArrayBuilder();
            admin.alertAddresses().forEach(alerts::add);
            item.add("alertAddresses", alerts);
            item.add("outbox", outbox(factory));
            Optional<MailboxConsent> consent = admin.consent();
            if (consent.isPresent()) {
                item.add("consent", Json.createObjectBuilder().add("username", consent.get().username())
                        .add("connected", consent.get().isConnected()));
            }
        } catch (ResourceException e) {
            // Invalid settings: the message names every property to fix; the configuration above shows them.
            item.add("problem", String.valueOf(e.getMessage()));
        }
        return item.build();
    }

    static JsonObject report(SetupReport report) {
        JsonArrayBuilder steps = Json.createArrayBuilder();
        for (SetupStep step : report.steps()) {
            JsonObjectBuilder s = Json.createObjectBuilder().add("name", step.name()).add("detail", step.detail());
            if (step.ok() == null) {
                s.add("state", "UNCHECKED");
            } else {
                s.add("state", step.ok() ? "OK" : "MISSING");
            }
            steps.add(s);
        }
        JsonObjectBuilder token = Json.createObjectBuilder();
        optional(token, "aud", report.audience());
        optional(token, "tid", report.tenantId());
        token.add("roles", strings(report.roles())).add("scp", strings(report.scopes()));
        optional(token, "expiresAt", report.expiresAt());
        JsonObjectBuilder out = Json.createObjectBuilder().add("ok", report.ok())
                .add("unchecked", report.unchecked()).add("steps", steps)
                .add("token", token);
        SetupStep missing = report.firstMissing();
        if (missing != null) {
            out.add("firstMissing", missing.name());
        }
        return out.build();
    }

    private static void status(JsonObjectBuilder item, PoolStatus status) {
        item.add("state", status.unused() ? "UNUSED" : status.state());
        optional(item, "reason", status.reason());
        optional(item, "since", status.since());
        optional(item, "lastSuccess", status.lastSuccess());
        JsonArrayBuilder expiries = Json.createArrayBuilder();
        Instant now = Instant.now();
        for (CredentialExpiry e : status.expiries()) {
            expiries.add(Json.createObjectBuilder().add("credential", e.credential())
                    .add("expires", e.expires().toString()).add("daysLeft", e.daysLeft(now))
                    .add("warning", e.warning()));
        }
        item.add("expiries", expiries);
    }

    private static JsonObject token(TokenState token) {
        JsonObjectBuilder t = Json.createObjectBuilder().add("present", token.present());
        optional(t, "acquiredAt", token.acquiredAt());
        optional(t, "expiresAt", token.expiresAt());
        return t.add("requests", token.requests()).add("refreshes", token.refreshes()).build();
    }

    private static JsonObject metrics(MetricsSnapshot counts) {
        JsonObjectBuilder failed = Json.createObjectBuilder();
        for (Map.Entry<String, Long> e : counts.failed().entrySet()) {
            failed.add(e.getKey(), e.getValue());
        }
        return Json.createObjectBuilder().add("sent", counts.sent()).add("failed", counts.failedTotal())
                .add("failedByReason", failed).add("retried", counts.retried())
                .add("throttledWaits", counts.throttledWaits())
                .add("throttledMillis", counts.throttledTime().toMillis())
                .add("tokenRequests", counts.tokenRequests()).add("tokenRefreshes", counts.tokenRefreshes())
                .add("meanSendMillis", counts.sent() == 0 ? 0 : counts.sendTime().toMillis() / counts.sent())
                .add("longestSendMillis", counts.longestSend().toMillis()).build();
    }

    private static JsonArrayBuilder configuration(List<Setting> settings) {
        JsonArrayBuilder list = Json.createArrayBuilder();
        for (Setting s : settings) {
            JsonObjectBuilder item = Json.createObjectBuilder().add("name", s.name()).add("group", s.group())
                    .add("description", s.description()).add("confidential", s.confidential()).add("set", s.set());
            optional(item, "value", s.value());
            optional(item, "default", s.defaultValue());
            list.add(item);
        }
        return list;
    }

    private static JsonArrayBuilder strings(List<String> values) {
        JsonArrayBuilder a = Json.createArrayBuilder();
        values.forEach(a::add);
        return a;
    }

    private static void optional(JsonObjectBuilder b, String name, Object value) {
        if (value != null) {
            b.add(name, value.toString());
        }
    }
}
