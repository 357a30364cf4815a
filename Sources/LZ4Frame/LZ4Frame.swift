// placeholder: replaced by the LZ4Frame implementation
