print("edgelog: placeholder")
