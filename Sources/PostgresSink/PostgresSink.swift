// placeholder: replaced by the PostgresSink implementation
