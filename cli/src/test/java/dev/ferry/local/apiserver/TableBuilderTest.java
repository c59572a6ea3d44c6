package dev.ferry.local.apiserver;

import static dev.ferry.local.apiserver.SimpleJsonPathTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableBuilderTest {
    private static final Instant NOW = Instant.parse("2026-01-02T00:00:00Z");
    private static final JsonNode CRD = json("""
            {"spec": {"group": "ferry.dev", "names": {"kind": "MigrationJob", "plural": "migrationjobs"},
              "versions": [{"name": "v1alpha1", "served": true, "storage": true,
                "additionalPrinterColumns": [
                  {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                  {"name": "Bytes", "type": "integer", "jsonPath": ".status.bytes.copied"},
                  {"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\\"Ready\\")].status"},
                  {"name": "Phase", "type": "string", "jsonPath": ".status.phase", "priority": 1}]}]}}
            """);
    private final TableBuilder tables = new TableBuilder(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void putsNameFirstThenThePrinterColumnsOfTheCrd() {
        ObjectNode table = tables.table(List.of(job()), columnsOfTheCrd(), "7");

        assertThat(table.path("kind").asText()).isEqualTo("Table");
        assertThat(table.path("apiVersion").asText()).isEqualTo("meta.k8s.io/v1");
        assertThat(table.path("metadata").path("resourceVersion").asText()).isEqualTo("7");
        List<String> names = new ArrayList<>();
        table.path("columnDefinitions").forEach(c -> names.add(c.path("name").asText()));
        assertThat(names).containsExactly("Name", "Age", "Bytes", "Ready", "Phase");
        assertThat(table.path("columnDefinitions").get(0).path("format").asText()).isEqualTo("name");
        assertThat(table.path("columnDefinitions").get(4).path("priority").asInt()).isEqualTo(1);
    }

    @Test
    void evaluatesEachCellByItsColumnType() {
        JsonNode row = tables.table(List.of(job()), columnsOfTheCrd(), "7").path("rows").get(0);

        assertThat(row.path("cells").toString()).isEqualTo("[\"a\",\"2d3h\",42,\"True\",\"Running\"]");
        assertThat(row.path("object").path("metadata").path("name").asText()).isEqualTo("a");
    }

    @Test
    void leavesMissingValuesEmpty() {
        JsonNode fresh = json("""
                {"metadata": {"name": "b", "creationTimestamp": "2026-01-01T23:59:30Z"}}""");

        JsonNode cells = tables.table(List.of(fresh), columnsOfTheCrd(), "").path("rows").get(0).path("cells");

        assertThat(cells.toString()).isEqualTo("[\"b\",\"30s\",null,null,null]");
    }

    @Test
    void givesResourcesWithoutPrinterColumnsNameAndAge() {
        ApiResource secrets = ResourceCatalog.of(List.of()).find("", "v1", "secrets").orElseThrow();

        List<PrinterColumn> columns = TableBuilder.columns(secrets);

        assertThat(columns).extracting(PrinterColumn::name).containsExactly("Name", "Age");
    }

    @Test
    void rendersAgesAsKubectlDoes() {
        assertThat(TableBuilder.humanDuration(Duration.ofSeconds(59))).isEqualTo("59s");
        assertThat(TableBuilder.humanDuration(Duration.ofSeconds(150))).isEqualTo("2m30s");
        assertThat(TableBuilder.humanDuration(Duration.ofMinutes(45))).isEqualTo("45m");
        assertThat(TableBuilder.humanDuration(Duration.ofMinutes(5 * 60 + 7))).isEqualTo("5h7m");
        assertThat(TableBuilder.humanDuration(Duration.ofHours(30))).isEqualTo("30h");
        assertThat(TableBuilder.humanDuration(Duration.ofHours(51))).isEqualTo("2d3h");
        assertThat(TableBuilder.humanDuration(Duration.ofDays(40))).isEqualTo("40d");
        assertThat(TableBuilder.age("not a time", NOW)).isEqualTo("<invalid>");
    }

    private static List<PrinterColumn> columnsOfTheCrd() {
        ApiResource jobs = ResourceCatalog.of(List.of(CRD)).find("ferry.dev", "v1alpha1", "migrationjobs").orElseThrow();
        return TableBuilder.columns(jobs);
    }

    private static JsonNode job() {
        return json("""
                {"metadata": {"name": "a", "creationTimestamp": "2025-12-30T21:00:00Z"},
                 "status": {"phase": "Running", "bytes": {"copied": 42},
                   "conditions": [{"type": "Ready", "status": "True"}]}}""");
    }
}
