// placeholder: replaced by the EdgelogRuntime implementation
