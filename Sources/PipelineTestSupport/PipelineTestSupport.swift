// placeholder: replaced by the PipelineTestSupport implementation
