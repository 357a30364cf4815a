import PipelineTestSupport
import Testing

struct PrometheusTextTests {
    /// A hand-written exposition in the shape swift-prometheus writes, with the awkward cases of
    /// the text format: comments, labels, a label value with spaces and an escaped quote, a
    /// timestamp after the value, special float values, and a line that is not a sample.
    static let exposition = """
        # HELP edgelog_broker_requests_total Requests by API.
        # TYPE edgelog_broker_requests_total counter
        edgelog_broker_requests_total{api="Produce"} 12
        edgelog_broker_requests_total{api="Fetch"} 30
        edgelog_broker_produce_requests_in_flight 3
        edgelog_odd{path="/var/log/a b.log",note="say \\"hi\\" }"} 7 1700000000000
        edgelog_up +Inf
        not a sample line
        edgelog_fsyncs_total 4.5

        """

    @Test func readsEverySampleBySeries() {
        let text = PrometheusText(Self.exposition)
        #expect(text["edgelog_broker_requests_total{api=\"Produce\"}"] == 12)
        #expect(text["edgelog_broker_requests_total{api=\"Fetch\"}"] == 30)
        #expect(text["edgelog_broker_produce_requests_in_flight"] == 3)
        #expect(text["edgelog_fsyncs_total"] == 4.5)
        #expect(text["edgelog_up"] == .infinity)
        #expect(text.samples.count == 6, "\(text.samples)")
    }

    /// The series ends at the `}` closing the labels even when a quoted label value holds spaces
    /// and a brace; the value is the field after it, not the trailing timestamp.
    @Test func labelValuesWithSpacesAndTimestamps() {
        let text = PrometheusText(Self.exposition)
        #expect(text["edgelog_odd{path=\"/var/log/a b.log\",note=\"say \\\"hi\\\" }\"}"] == 7)
    }

    @Test func totalSumsEveryLabelSetOfOneMetricOnly() {
        let text = PrometheusText(Self.exposition)
        #expect(text.total("edgelog_broker_requests_total") == 42)
        #expect(text.total("edgelog_broker_requests") == nil)
        #expect(text.total("edgelog_broker_produce_requests_in_flight") == 3)
        #expect(text.total("edgelog_missing") == nil)
    }

    @Test func seriesContainingAFragment() {
        let text = PrometheusText(Self.exposition)
        #expect(Set(text.series(containing: "requests").keys) == [
            "edgelog_broker_requests_total{api=\"Produce\"}",
            "edgelog_broker_requests_total{api=\"Fetch\"}",
            "edgelog_broker_produce_requests_in_flight",
        ])
    }

    @Test func bytesAndTextParseAlike() {
        #expect(PrometheusText(Array(Self.exposition.utf8)) == PrometheusText(Self.exposition))
    }
}
