module localdev.kube/ingress-adapter

go 1.22
