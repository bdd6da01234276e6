"""The Swift object storage driver: any Swift API endpoint (Ceph RGW serves one), auth v1
or Keystone."""
